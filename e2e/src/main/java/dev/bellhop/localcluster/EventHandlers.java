package dev.bellhop.localcluster;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** Informer event handlers from functions, as client-go's ResourceEventHandlerFuncs. */
public final class EventHandlers {
  private EventHandlers() {}

  /**
   * {@code present} with each object added or updated (as it is now), {@code gone} when deleted.
   */
  public static <T> ResourceEventHandler<T> of(Consumer<T> present, Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        present.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        present.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        gone.accept(obj);
      }
    };
  }

  /** {@code action} after any event: a level-triggered loop reads the state itself. */
  public static <T> ResourceEventHandler<T> onAnyChange(Runnable action) {
    return of(obj -> action.run(), obj -> action.run());
  }
}
