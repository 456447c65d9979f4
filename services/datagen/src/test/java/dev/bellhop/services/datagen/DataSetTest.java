package dev.bellhop.services.datagen;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The data set: what the issue asks of it, and that the generator still produces it: the committed
 * files, and rates.json as the build wrote it (in another JVM, so this also checks that a run
 * depends on nothing but the seed).
 */
class DataSetTest {
  static final Path DATA = Path.of(System.getProperty("bellhop.data.dir", "../../data"));
  static final Path BUILT = Path.of(System.getProperty("bellhop.rates.dir", "target/data"));

  static String read(String name) throws Exception {
    Path dir = name.equals("rates.json") ? BUILT : DATA;
    return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
  }

  @Test
  void theGeneratorReproducesTheCommittedHotelsAndTheBuiltRates() throws Exception {
    Random random = new Random(GenerateData.SEED);
    List<JsonObject> profiles = GenerateData.hotels(random);
    assertThat(GenerateData.prettyArray(profiles)).isEqualTo(read("profiles.json"));
    assertThat(GenerateData.locations(profiles)).isEqualTo(read("locations.json"));
    assertThat(GenerateData.rates(profiles, random)).isEqualTo(read("rates.json"));
  }

  @Test
  void hotelsAreInsideSanFrancisco() throws Exception {
    JsonArray locations = new JsonArray(read("locations.json"));
    assertThat(locations.size()).isGreaterThanOrEqualTo(100);
    for (Object l : locations) {
      JsonObject location = (JsonObject) l;
      assertThat(location.getDouble("lat")).isBetween(37.708, 37.811);
      assertThat(location.getDouble("lon")).isBetween(-122.514, -122.357);
    }
    JsonArray profiles = new JsonArray(read("profiles.json"));
    assertThat(profiles).hasSameSizeAs(locations);
    Set<String> names = new HashSet<>();
    for (Object p : profiles) {
      JsonObject profile = (JsonObject) p;
      assertThat(names.add(profile.getString("name"))).isTrue();
      assertThat(profile.getString("phoneNumber")).matches("\\((415|628)\\) 555-01\\d\\d");
      assertThat(profile.getJsonObject("address").getString("city")).isEqualTo("San Francisco");
      assertThat(profile.getJsonArray("images")).isNotEmpty();
    }
  }

  @Test
  void ratesCoverAFullYearForEveryHotel() throws Exception {
    JsonObject rates = new JsonObject(read("rates.json"));
    assertThat(rates.getInteger("nights")).isGreaterThanOrEqualTo(365);
    assertThat(rates.getString("firstNight")).endsWith("-01-01");
    assertThat(rates.getJsonArray("hotels")).hasSize(new JsonArray(read("locations.json")).size());
    for (Object h : rates.getJsonArray("hotels")) {
      JsonArray roomTypes = ((JsonObject) h).getJsonArray("roomTypes");
      assertThat(roomTypes.size()).isBetween(3, 5);
      for (Object r : roomTypes) {
        JsonObject room = (JsonObject) r;
        for (String series : List.of("bookable", "total", "inclusive")) {
          assertThat(room.getJsonArray(series)).hasSize(rates.getInteger("nights"));
        }
        Object bookable = room.getJsonArray("bookable").getValue(200);
        Object total = room.getJsonArray("total").getValue(200);
        if (bookable != null) {
          assertThat(((Number) total).doubleValue())
              .isGreaterThan(((Number) bookable).doubleValue());
        }
      }
    }
  }

  @Test
  void customersHaveBcryptHashesAndTheDocumentedPasswordsWork() throws Exception {
    JsonArray customers = new JsonArray(read("customers.json"));
    assertThat(customers.size()).isGreaterThanOrEqualTo(1000);
    for (Object c : customers) {
      JsonObject customer = (JsonObject) c;
      assertThat(customer.fieldNames()).containsExactlyInAnyOrder("id", "username", "passwordHash");
      assertThat(customer.getString("passwordHash"))
          .startsWith(String.format("$2a$%02d$", GenerateData.BCRYPT_COST));
    }
    assertThat(verify(customers.getJsonObject(0), "bellhop-demo")).isTrue();
    assertThat(customers.getJsonObject(0).getString("username")).isEqualTo("demo");
    assertThat(verify(customers.getJsonObject(42), "pw-guest0042")).isTrue();
    assertThat(verify(customers.getJsonObject(42), "pw-guest0043")).isFalse();
    assertThat(read("customers.json")).doesNotContain("bellhop-demo").doesNotContain("pw-guest");
  }

  static boolean verify(JsonObject customer, String password) {
    return BCrypt.verifyer()
        .verify(password.toCharArray(), customer.getString("passwordHash"))
        .verified;
  }
}
