package dev.bellhop.services.profile;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * profiles.json: hotels whose {@code description} holds one text per locale. Each hotel is rendered
 * once per locale at load time, so a request only looks profiles up.
 */
public final class Profiles {
  public static final String DEFAULT_LOCALE = "en";

  private final Map<String, Map<String, JsonObject>> byLocale; // locale -> id -> hotel
  private final Set<String> locales;

  private Profiles(Map<String, Map<String, JsonObject>> byLocale, Set<String> locales) {
    this.byLocale = byLocale;
    this.locales = locales;
  }

  public static Profiles parse(Buffer json) {
    JsonArray hotels = new JsonArray(json);
    Set<String> locales = new LinkedHashSet<>();
    for (Object row : hotels) {
      locales.addAll(((JsonObject) row).getJsonObject("description").fieldNames());
    }
    Map<String, Map<String, JsonObject>> byLocale = new HashMap<>();
    for (String locale : locales) {
      Map<String, JsonObject> byId = new HashMap<>();
      for (Object row : hotels) {
        JsonObject hotel = ((JsonObject) row).copy();
        JsonObject texts = hotel.getJsonObject("description");
        hotel.put("description", texts.getString(locale, texts.getString(DEFAULT_LOCALE)));
        byId.put(hotel.getString("id"), hotel);
      }
      byLocale.put(locale, Map.copyOf(byId));
    }
    return new Profiles(Map.copyOf(byLocale), Set.copyOf(locales));
  }

  /**
   * The hotel in the best locale we have: an exact match ("es"), then the language of a tagged
   * locale ("es-MX"), then English. {@code null} for an unknown id.
   */
  public JsonObject get(String id, String locale) {
    return byLocale.get(resolve(locale)).get(id);
  }

  String resolve(String locale) {
    if (locale == null) {
      return DEFAULT_LOCALE;
    }
    String normalized = locale.replace('_', '-').toLowerCase(java.util.Locale.ROOT);
    if (locales.contains(normalized)) {
      return normalized;
    }
    int dash = normalized.indexOf('-');
    if (dash > 0 && locales.contains(normalized.substring(0, dash))) {
      return normalized.substring(0, dash);
    }
    return DEFAULT_LOCALE;
  }

  public int size() {
    return byLocale.get(DEFAULT_LOCALE).size();
  }
}
