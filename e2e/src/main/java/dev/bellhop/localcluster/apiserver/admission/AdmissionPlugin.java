package dev.bellhop.localcluster.apiserver.admission;

/**
 * A stage run on every write after authorization and before the store, in a fixed order: mutating
 * plugins, then validation ({@code validation}), then validating plugins. Refuses with an {@link
 * dev.bellhop.localcluster.apiserver.ApiError}; a mutating plugin changes {@link
 * AdmissionRequest#object()} in place.
 */
public interface AdmissionPlugin {
  void admit(AdmissionRequest request);
}
