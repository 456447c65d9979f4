package dev.bellhop.services.datagen;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Writes the Bellhop hotel data set (customers, locations, profiles, rates) into a folder.
 * Deterministic: a fixed seed, java.util.Random (whose algorithm is specified) and StrictMath, so
 * running it again reproduces the committed files byte for byte.
 *
 * <p>Run with {@code make data}.
 */
public final class GenerateData {
  static final long SEED = 20_261_124L;
  static final LocalDate FIRST_NIGHT = LocalDate.of(2026, 1, 1);
  static final LocalDate LAST_NIGHT = LocalDate.of(2027, 12, 31);
  static final int CUSTOMERS = 1000;

  /**
   * bcrypt cost for the demo data: 10, OWASP's floor (issue #16: 8 was below it). A login then
   * verifies in 65 ms here (8: 17 ms, 12: 260 ms, too slow for a 2-core demo), and 1,001 hashes
   * take about half a minute on two cores.
   */
  static final int BCRYPT_COST = 10;

  static final double METERS_PER_DEGREE_LAT = 111_320.0;

  record Neighborhood(
      String name,
      double lat,
      double lon,
      double spreadMeters,
      String postalCode,
      int hotels,
      String landmarkEn,
      String landmarkEs,
      List<String> streets) {}

  record RoomType(String code, String description, double priceFactor, double soldOutRate) {}

  // Centres and spreads keep every hotel on land inside the city (coastal ones have small spreads).
  static final List<Neighborhood> NEIGHBORHOODS =
      List.of(
          new Neighborhood(
              "Union Square",
              37.7879,
              -122.4075,
              350,
              "94108",
              18,
              "a short walk from the cable cars on Powell Street",
              "a pocos pasos de los tranvías de Powell Street",
              List.of(
                  "Geary St",
                  "Post St",
                  "Sutter St",
                  "Powell St",
                  "Mason St",
                  "Stockton St",
                  "O'Farrell St")),
          new Neighborhood(
              "the Financial District",
              37.7936,
              -122.4010,
              300,
              "94111",
              10,
              "among the towers near the Transamerica Pyramid",
              "entre las torres cerca de la Transamerica Pyramid",
              List.of(
                  "California St",
                  "Pine St",
                  "Sansome St",
                  "Battery St",
                  "Front St",
                  "Montgomery St")),
          new Neighborhood(
              "SoMa",
              37.7810,
              -122.4010,
              450,
              "94103",
              12,
              "next to Yerba Buena Gardens and the Moscone Center",
              "junto a Yerba Buena Gardens y el Moscone Center",
              List.of("Howard St", "Folsom St", "Mission St", "3rd St", "4th St", "Minna St")),
          new Neighborhood(
              "Nob Hill",
              37.7920,
              -122.4140,
              250,
              "94109",
              7,
              "at the top of the hill by Grace Cathedral",
              "en lo alto de la colina junto a Grace Cathedral",
              List.of("California St", "Mason St", "Taylor St", "Jones St", "Sacramento St")),
          new Neighborhood(
              "Fisherman's Wharf",
              37.8050,
              -122.4160,
              200,
              "94133",
              10,
              "steps from Pier 39 and the sea lions",
              "a unos pasos del Pier 39 y sus leones marinos",
              List.of("Jefferson St", "Beach St", "North Point St", "Columbus Ave", "Taylor St")),
          new Neighborhood(
              "North Beach",
              37.8000,
              -122.4090,
              250,
              "94133",
              5,
              "among the cafés below Coit Tower",
              "entre los cafés a los pies de la Coit Tower",
              List.of("Columbus Ave", "Grant Ave", "Stockton St", "Broadway", "Vallejo St")),
          new Neighborhood(
              "the Marina",
              37.8000,
              -122.4370,
              250,
              "94123",
              6,
              "a few blocks from the Palace of Fine Arts",
              "a pocas calles del Palace of Fine Arts",
              List.of("Lombard St", "Chestnut St", "Bay St", "Fillmore St")),
          new Neighborhood(
              "Civic Center",
              37.7775,
              -122.4205,
              300,
              "94102",
              8,
              "across from City Hall and the opera house",
              "frente al ayuntamiento y la ópera",
              List.of("Van Ness Ave", "Polk St", "Hayes St", "Grove St", "Franklin St")),
          new Neighborhood(
              "the Tenderloin",
              37.7845,
              -122.4140,
              200,
              "94102",
              6,
              "close to the theatres of Geary Street",
              "cerca de los teatros de Geary Street",
              List.of("Eddy St", "Ellis St", "Jones St", "Leavenworth St", "Turk St")),
          new Neighborhood(
              "Japantown",
              37.7853,
              -122.4295,
              250,
              "94115",
              4,
              "beside the Peace Pagoda",
              "junto a la Pagoda de la Paz",
              List.of("Post St", "Geary Blvd", "Sutter St", "Webster St", "Laguna St")),
          new Neighborhood(
              "the Mission",
              37.7599,
              -122.4148,
              400,
              "94110",
              5,
              "near the murals and taquerias of Valencia Street",
              "cerca de los murales y taquerías de Valencia Street",
              List.of("Valencia St", "Mission St", "16th St", "18th St", "Guerrero St")),
          new Neighborhood(
              "the Castro",
              37.7609,
              -122.4350,
              250,
              "94114",
              3,
              "under the rainbow flag at Harvey Milk Plaza",
              "bajo la bandera arcoíris de Harvey Milk Plaza",
              List.of("Market St", "Castro St", "18th St", "Noe St")),
          new Neighborhood(
              "Haight-Ashbury",
              37.7700,
              -122.4470,
              300,
              "94117",
              3,
              "a block from Golden Gate Park",
              "a una calle del Golden Gate Park",
              List.of("Haight St", "Stanyan St", "Masonic Ave", "Page St")),
          new Neighborhood(
              "the Embarcadero",
              37.7950,
              -122.3970,
              150,
              "94105",
              5,
              "facing the Ferry Building",
              "frente al Ferry Building",
              List.of("Steuart St", "Spear St", "Mission St", "Market St", "Drumm St")),
          new Neighborhood(
              "Mission Bay",
              37.7700,
              -122.3930,
              250,
              "94158",
              3,
              "near the ballpark and the Chase Center",
              "cerca del estadio y del Chase Center",
              List.of("4th St", "Owens St", "3rd St", "Mission Bay Blvd")),
          new Neighborhood(
              "Pacific Heights",
              37.7915,
              -122.4350,
              300,
              "94115",
              3,
              "on a quiet street of Victorian houses",
              "en una calle tranquila de casas victorianas",
              List.of("Fillmore St", "Sacramento St", "Washington St", "Divisadero St")),
          new Neighborhood(
              "the Inner Richmond",
              37.7800,
              -122.4640,
              350,
              "94118",
              3,
              "among the bakeries and dim sum houses of Clement Street",
              "entre las panaderías y casas de dim sum de Clement Street",
              List.of("Geary Blvd", "Clement St", "Balboa St", "Arguello Blvd")),
          new Neighborhood(
              "the Inner Sunset",
              37.7630,
              -122.4680,
              300,
              "94122",
              3,
              "by the museums of Golden Gate Park",
              "junto a los museos del Golden Gate Park",
              List.of("Irving St", "Judah St", "9th Ave", "Lincoln Way")),
          new Neighborhood(
              "the Outer Sunset",
              37.7550,
              -122.4990,
              200,
              "94122",
              2,
              "two blocks from Ocean Beach",
              "a dos calles de Ocean Beach",
              List.of("Judah St", "Noriega St", "La Playa St", "46th Ave")),
          new Neighborhood(
              "Dogpatch",
              37.7590,
              -122.3930,
              250,
              "94107",
              2,
              "among the warehouses turned studios",
              "entre almacenes convertidos en talleres",
              List.of("Tennessee St", "3rd St", "20th St", "18th St")),
          new Neighborhood(
              "Cow Hollow",
              37.7975,
              -122.4340,
              200,
              "94123",
              2,
              "on the boutique-lined Union Street",
              "en Union Street, llena de boutiques",
              List.of("Union St", "Lombard St", "Fillmore St", "Steiner St")),
          new Neighborhood(
              "Chinatown",
              37.7941,
              -122.4068,
              150,
              "94108",
              2,
              "beside the Dragon Gate",
              "junto a la Dragon Gate",
              List.of("Grant Ave", "Stockton St", "Kearny St", "Washington St")));

  static final List<RoomType> ROOM_TYPES =
      List.of(
          new RoomType("STD", "Standard room, one queen bed", 0.85, 0.015),
          new RoomType("KNG", "King room, one king bed", 1.0, 0.015),
          new RoomType("QQ", "Double queen room, two queen beds", 1.1, 0.02),
          new RoomType("ADA", "Accessible king room with roll-in shower", 1.0, 0.03),
          new RoomType("JRS", "Junior suite, king bed and sitting area", 1.6, 0.04),
          new RoomType("STE", "One-bedroom suite with separate living room", 2.2, 0.05));

  static final String[] NAME_FIRST = {
    "Golden",
    "Foggy",
    "Painted",
    "Crooked",
    "Cable Car",
    "Harbor",
    "Sutro",
    "Twin Peaks",
    "Ocean",
    "Lombard",
    "Coit",
    "Hilltop",
    "Bayside",
    "Seacliff",
    "Redwood",
    "Cypress",
    "Victorian",
    "Presidio",
    "Alcatraz",
    "Fog City"
  };
  static final String[] NAME_SECOND = {
    "Gate",
    "Lantern",
    "Pier",
    "Ferry",
    "Sparrow",
    "Anchor",
    "Heron",
    "Compass",
    "Poppy",
    "Lighthouse",
    "Sailor",
    "Fern",
    "Garden",
    "Vista",
    "Tide"
  };
  static final String[] NAME_KIND = {"Hotel", "Inn", "Suites", "Lodge", "House", "Hotel", "Hotel"};
  static final String[][] STYLES = {
    {"boutique", "boutique"},
    {"historic", "histórico"},
    {"modern", "moderno"},
    {"family-run", "familiar"},
    {"design-led", "de diseño"},
    {"classic", "clásico"},
    {"eco-friendly", "ecológico"}
  };
  static final String[][] AMENITIES = {
    {
      "Rooms have rain showers and blackout curtains.",
      "Las habitaciones tienen duchas de lluvia y cortinas opacas."
    },
    {
      "Breakfast is served daily in the lobby café.",
      "El desayuno se sirve a diario en la cafetería del vestíbulo."
    },
    {"A rooftop terrace looks out over the bay.", "Una terraza en la azotea mira a la bahía."},
    {"Bicycles can be borrowed free of charge.", "Se prestan bicicletas sin coste."},
    {"Pets are welcome.", "Se admiten mascotas."},
    {
      "A 24-hour fitness room is on the ground floor.",
      "Hay un gimnasio abierto 24 horas en la planta baja."
    },
    {
      "Each evening a wine hour pours California wines.",
      "Cada tarde, una hora del vino sirve vinos de California."
    },
    {"Valet parking is available.", "Hay servicio de aparcacoches."},
    {"Meeting rooms seat up to 80 guests.", "Las salas de reuniones acogen hasta 80 personas."}
  };

  /** Conference weeks, when the city sells out (rates up, rooms scarce). */
  static final List<LocalDate[]> EVENTS =
      List.of(
          new LocalDate[] {LocalDate.of(2026, 3, 16), LocalDate.of(2026, 3, 20)},
          new LocalDate[] {LocalDate.of(2026, 9, 14), LocalDate.of(2026, 9, 18)},
          new LocalDate[] {LocalDate.of(2026, 10, 5), LocalDate.of(2026, 10, 9)},
          new LocalDate[] {LocalDate.of(2027, 3, 15), LocalDate.of(2027, 3, 19)},
          new LocalDate[] {LocalDate.of(2027, 9, 13), LocalDate.of(2027, 9, 17)},
          new LocalDate[] {LocalDate.of(2027, 10, 4), LocalDate.of(2027, 10, 8)});

  static final double[] MONTH_FACTOR = {
    0.85, 0.88, 0.95, 1.0, 1.05, 1.12, 1.15, 1.12, 1.2, 1.22, 0.95, 0.9
  };

  /** San Francisco's transient occupancy tax. */
  static final double OCCUPANCY_TAX = 0.14;

  private GenerateData() {}

  /**
   * Writes the data set to the folder {@code args[0]} (default {@code data}): every file, or only
   * those named after it. The build writes {@code rates.json} this way (6 MB, not committed).
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "data");
    Set<String> only =
        Set.copyOf(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    Predicate<String> wanted = name -> only.isEmpty() || only.contains(name);
    Files.createDirectories(out);
    Random random = new Random(SEED);
    // The files draw from one seeded sequence, in this order: each is computed, even when not
    // written.
    List<JsonObject> profiles = hotels(random);
    writeIf(wanted, out.resolve("profiles.json"), prettyArray(profiles));
    writeIf(wanted, out.resolve("locations.json"), locations(profiles));
    writeIf(wanted, out.resolve("rates.json"), rates(profiles, random));
    if (wanted.test("customers.json")) {
      long start = System.nanoTime();
      write(out.resolve("customers.json"), customers(random));
      System.out.printf(
          "hashed %d customers' passwords in %d ms%n",
          CUSTOMERS + 1, (System.nanoTime() - start) / 1_000_000);
    }
    System.out.printf("wrote %s to %s%n", only.isEmpty() ? "the data set" : only, out);
  }

  private static void writeIf(Predicate<String> wanted, Path file, String content)
      throws IOException {
    if (wanted.test(file.getFileName().toString())) {
      write(file, content);
    }
  }

  static List<JsonObject> hotels(Random random) {
    List<JsonObject> hotels = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    int id = 1;
    for (Neighborhood hood : NEIGHBORHOODS) {
      for (int i = 0; i < hood.hotels(); i++, id++) {
        // A truncated normal around the centre: most hotels cluster, none stray into the bay.
        double north = clamp(random.nextGaussian() * hood.spreadMeters() / 2, hood.spreadMeters());
        double east = clamp(random.nextGaussian() * hood.spreadMeters() / 2, hood.spreadMeters());
        double lat = round(hood.lat() + north / METERS_PER_DEGREE_LAT, 6);
        double lon =
            round(
                hood.lon()
                    + east
                        / (METERS_PER_DEGREE_LAT
                            * StrictMath.cos(StrictMath.toRadians(hood.lat()))),
                6);
        String name;
        do {
          name =
              "The "
                  + pick(random, NAME_FIRST)
                  + " "
                  + pick(random, NAME_SECOND)
                  + " "
                  + pick(random, NAME_KIND);
        } while (!names.add(name));
        String[] style = STYLES[random.nextInt(STYLES.length)];
        int rooms = 20 + random.nextInt(380);
        int first = random.nextInt(AMENITIES.length);
        int second = (first + 1 + random.nextInt(AMENITIES.length - 1)) % AMENITIES.length;
        String en =
            name
                + " is a "
                + style[0]
                + " hotel with "
                + rooms
                + " rooms in "
                + hood.name()
                + ", "
                + hood.landmarkEn()
                + ". "
                + AMENITIES[first][0]
                + " "
                + AMENITIES[second][0];
        String es =
            name
                + " es un hotel "
                + style[1]
                + " de "
                + rooms
                + " habitaciones en "
                + hood.name().replaceFirst("^the ", "")
                + ", "
                + hood.landmarkEs()
                + ". "
                + AMENITIES[first][1]
                + " "
                + AMENITIES[second][1];
        // 555-0100..0199 are the numbers reserved for fiction; two San Francisco area codes.
        String phone =
            "(" + (id <= 100 ? "415" : "628") + ") 555-01" + String.format("%02d", (id - 1) % 100);
        JsonArray images = new JsonArray();
        int imageCount = 2 + random.nextInt(3);
        for (int n = 1; n <= imageCount; n++) {
          images.add(
              new JsonObject()
                  .put("url", "https://images.bellhop.example/hotels/" + id + "/" + n + ".jpg")
                  .put("default", n == 1));
        }
        hotels.add(
            new JsonObject()
                .put("id", Integer.toString(id))
                .put("name", name)
                .put("phoneNumber", phone)
                .put("description", new JsonObject().put("en", en).put("es", es))
                .put(
                    "address",
                    new JsonObject()
                        .put("streetNumber", Integer.toString(100 + random.nextInt(1900)))
                        .put(
                            "streetName", hood.streets().get(random.nextInt(hood.streets().size())))
                        .put("city", "San Francisco")
                        .put("state", "CA")
                        .put("country", "United States")
                        .put("postalCode", hood.postalCode())
                        .put("lat", lat)
                        .put("lon", lon))
                .put("images", images));
      }
    }
    return hotels;
  }

  static String locations(List<JsonObject> profiles) {
    StringBuilder json = new StringBuilder("[\n");
    for (int i = 0; i < profiles.size(); i++) {
      JsonObject address = profiles.get(i).getJsonObject("address");
      json.append("  ")
          .append(
              new JsonObject()
                  .put("hotelId", profiles.get(i).getString("id"))
                  .put("lat", address.getDouble("lat"))
                  .put("lon", address.getDouble("lon"))
                  .encode())
          .append(i + 1 < profiles.size() ? ",\n" : "\n");
    }
    return json.append("]\n").toString();
  }

  /**
   * Rates as parallel arrays, one element per night from firstNight: {@code bookable} is the room
   * rate, {@code total} adds the 14% occupancy tax, {@code inclusive} adds the tourism assessment
   * and the hotel's nightly fee. {@code null} means sold out that night.
   */
  static String rates(List<JsonObject> profiles, Random random) {
    int nights = (int) ChronoUnit.DAYS.between(FIRST_NIGHT, LAST_NIGHT) + 1;
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"currency\": \"USD\",\n  \"firstNight\": \"")
        .append(FIRST_NIGHT)
        .append("\",\n  \"nights\": ")
        .append(nights)
        .append(",\n  \"hotels\": [\n");
    for (int h = 0; h < profiles.size(); h++) {
      String hotelId = profiles.get(h).getString("id");
      double base = 140 + random.nextInt(29) * 10; // 140..420 a night for a king room
      double assessment = 0.01 + random.nextInt(5) * 0.0025;
      int fee = new int[] {0, 0, 0, 15, 20, 25, 30}[random.nextInt(7)];
      List<RoomType> types = roomTypesFor(random);
      json.append("    {\"hotelId\": ").append(Json.encode(hotelId)).append(", \"roomTypes\": [\n");
      for (int t = 0; t < types.size(); t++) {
        RoomType type = types.get(t);
        StringBuilder bookable = new StringBuilder();
        StringBuilder total = new StringBuilder();
        StringBuilder inclusive = new StringBuilder();
        int soldOutLeft = 0;
        for (int n = 0; n < nights; n++) {
          LocalDate night = FIRST_NIGHT.plusDays(n);
          boolean event = inEvent(night);
          if (soldOutLeft == 0 && random.nextDouble() < type.soldOutRate() * (event ? 4 : 1)) {
            soldOutLeft = 1 + random.nextInt(3);
          }
          String sep = n == 0 ? "" : ",";
          if (soldOutLeft > 0) {
            soldOutLeft--;
            bookable.append(sep).append("null");
            total.append(sep).append("null");
            inclusive.append(sep).append("null");
            continue;
          }
          double price =
              base
                  * type.priceFactor()
                  * MONTH_FACTOR[night.getMonthValue() - 1]
                  * weekdayFactor(night.getDayOfWeek())
                  * (event ? 1.45 : 1.0)
                  * (night.getMonthValue() == 12 && night.getDayOfMonth() == 31 ? 1.5 : 1.0)
                  * (1 + clamp(random.nextGaussian() * 0.03, 0.08));
          long bookableCents = Math.round(price) * 100;
          long totalCents = Math.round(bookableCents * (1 + OCCUPANCY_TAX));
          long inclusiveCents = totalCents + Math.round(bookableCents * assessment) + fee * 100L;
          bookable.append(sep).append(money(bookableCents));
          total.append(sep).append(money(totalCents));
          inclusive.append(sep).append(money(inclusiveCents));
        }
        json.append("      {\"code\": ")
            .append(Json.encode(type.code()))
            .append(", \"description\": ")
            .append(Json.encode(type.description()))
            .append(",\n       \"bookable\": [")
            .append(bookable)
            .append("],\n       \"total\": [")
            .append(total)
            .append("],\n       \"inclusive\": [")
            .append(inclusive)
            .append("]}")
            .append(t + 1 < types.size() ? ",\n" : "\n");
      }
      json.append("    ]}").append(h + 1 < profiles.size() ? ",\n" : "\n");
    }
    return json.append("  ]\n}\n").toString();
  }

  static List<RoomType> roomTypesFor(Random random) {
    // Every hotel sells standard and king rooms; 1..3 of the others, in catalogue order.
    List<RoomType> types = new ArrayList<>(ROOM_TYPES.subList(0, 2));
    List<RoomType> extras = new ArrayList<>(ROOM_TYPES.subList(2, ROOM_TYPES.size()));
    int count = 1 + random.nextInt(3);
    while (types.size() < 2 + count) {
      types.add(extras.remove(random.nextInt(extras.size())));
    }
    types.sort((a, b) -> Integer.compare(ROOM_TYPES.indexOf(a), ROOM_TYPES.indexOf(b)));
    return types;
  }

  static String customers(Random random) {
    List<String[]> accounts = new ArrayList<>();
    accounts.add(new String[] {"c0000", "demo", "bellhop-demo"});
    for (int i = 1; i <= CUSTOMERS; i++) {
      String username = String.format("guest%04d", i);
      accounts.add(new String[] {String.format("c%04d", i), username, "pw-" + username});
    }
    byte[][] salts = new byte[accounts.size()][16];
    for (byte[] salt : salts) {
      random.nextBytes(salt); // drawn in order, so hashing in parallel stays deterministic
    }
    String[] hashes = new String[accounts.size()];
    IntStream.range(0, accounts.size())
        .parallel()
        .forEach(
            i ->
                hashes[i] =
                    new String(
                        BCrypt.withDefaults()
                            .hash(
                                BCRYPT_COST,
                                salts[i],
                                accounts.get(i)[2].getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.US_ASCII));
    List<JsonObject> rows = new ArrayList<>();
    for (int i = 0; i < accounts.size(); i++) {
      rows.add(
          new JsonObject()
              .put("id", accounts.get(i)[0])
              .put("username", accounts.get(i)[1])
              .put("passwordHash", hashes[i]));
    }
    StringBuilder json = new StringBuilder("[\n");
    for (int i = 0; i < rows.size(); i++) {
      json.append("  ").append(rows.get(i).encode()).append(i + 1 < rows.size() ? ",\n" : "\n");
    }
    return json.append("]\n").toString();
  }

  static boolean inEvent(LocalDate night) {
    for (LocalDate[] event : EVENTS) {
      if (!night.isBefore(event[0]) && night.isBefore(event[1])) {
        return true;
      }
    }
    return false;
  }

  static double weekdayFactor(DayOfWeek day) {
    return switch (day) {
      case FRIDAY, SATURDAY -> 1.12;
      case SUNDAY -> 0.93;
      default -> 1.0;
    };
  }

  static String money(long cents) {
    return BigDecimal.valueOf(cents, 2).stripTrailingZeros().toPlainString();
  }

  static String prettyArray(List<JsonObject> rows) {
    return new JsonArray(new ArrayList<>(rows)).encodePrettily() + "\n";
  }

  static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  static double clamp(double value, double limit) {
    return Math.max(-limit, Math.min(limit, value));
  }

  static double round(double value, int decimals) {
    return BigDecimal.valueOf(value)
        .setScale(decimals, java.math.RoundingMode.HALF_EVEN)
        .doubleValue();
  }

  static void write(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
