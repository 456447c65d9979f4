package dev.bellhop.services.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GeoIndexTest {

  @Test
  void agreesWithALinearScanInACity() {
    Random random = new Random(7);
    List<Locations.Point> points = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      points.add(
          new Locations.Point(
              "p" + i, 37.70 + random.nextDouble() * 0.11, -122.51 + random.nextDouble() * 0.15));
    }
    GeoIndex index = GeoIndex.build(points);
    for (int q = 0; q < 150; q++) {
      double lat = 37.65 + random.nextDouble() * 0.2;
      double lon = -122.55 + random.nextDouble() * 0.25;
      double radius = 0.05 + random.nextDouble() * 5;
      int limit = 1 + random.nextInt(50);
      assertThat(index.nearby(lat, lon, radius, limit))
          .isEqualTo(index.nearbyLinearScan(lat, lon, radius, limit));
    }
  }

  @Test
  void agreesWithALinearScanAcrossTheGlobe() {
    Random random = new Random(11);
    List<Locations.Point> points = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      points.add(
          new Locations.Point(
              "g" + i, -90 + random.nextDouble() * 180, -180 + random.nextDouble() * 360));
    }
    GeoIndex index = GeoIndex.build(points);
    double[][] edges = {{0, 179.99}, {0, -179.99}, {89.9, 0}, {-89.9, 45}, {60, 180}, {-60, -180}};
    for (double[] q : edges) {
      assertThat(index.nearby(q[0], q[1], 100, 5))
          .isEqualTo(index.nearbyLinearScan(q[0], q[1], 100, 5));
    }
    for (int q = 0; q < 100; q++) {
      double lat = -90 + random.nextDouble() * 180;
      double lon = -180 + random.nextDouble() * 360;
      assertThat(index.nearby(lat, lon, 100, 10))
          .isEqualTo(index.nearbyLinearScan(lat, lon, 100, 10));
    }
  }

  @Test
  void breaksTiesById() {
    GeoIndex index =
        GeoIndex.build(
            List.of(
                new Locations.Point("b", 37.78, -122.41), new Locations.Point("c", 37.78, -122.41),
                new Locations.Point("a", 37.78, -122.41),
                    new Locations.Point("far", 37.80, -122.41)));
    assertThat(index.nearby(37.78, -122.41, 10, 5)).containsExactly("a", "b", "c", "far");
    assertThat(index.nearby(37.78, -122.41, 10, 2)).containsExactly("a", "b");
    assertThat(index.nearby(37.78, -122.41, 1, 5)).containsExactly("a", "b", "c");
  }

  @Test
  void findsNothingOutsideTheRadius() {
    GeoIndex index = GeoIndex.build(List.of(new Locations.Point("1", 37.78, -122.41)));
    assertThat(index.nearby(40.7, -74.0, 100, 5)).isEmpty();
    assertThat(GeoIndex.build(List.of()).nearby(0, 0, 10, 5)).isEmpty();
  }
}
