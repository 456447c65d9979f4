package dev.bellhop.services.geo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.ItemVisitor;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Nearest hotels by great-circle distance, from a JTS STR-tree over (lon, lat) points.
 *
 * <p>The tree answers box queries; {@link #nearby} turns them into an exact k-nearest search: it
 * queries the box enclosing a circle of radius r, keeps the points within r, and when fewer than
 * {@code limit} are found grows r (up to the caller's radius). Any point within r lies in that box,
 * so nothing nearer is ever missed. Results are ordered by distance, then id.
 */
public final class GeoIndex {
  static final double EARTH_RADIUS_KM = 6371.0088;

  /** Keeps floating-point error in the box maths from excluding a point right on the circle. */
  private static final double BOX_MARGIN_DEG = 1e-9;

  private final String[] ids;
  private final double[] lats;
  private final double[] lons;
  private final STRtree tree;
  private final double firstRadiusKm;

  private GeoIndex(List<Locations.Point> points) {
    int n = points.size();
    ids = new String[n];
    lats = new double[n];
    lons = new double[n];
    tree = new STRtree();
    double minLat = 90, maxLat = -90, minLon = 180, maxLon = -180;
    for (int i = 0; i < n; i++) {
      Locations.Point p = points.get(i);
      ids[i] = p.id();
      lats[i] = p.lat();
      lons[i] = p.lon();
      tree.insert(new Envelope(p.lon(), p.lon(), p.lat(), p.lat()), i);
      minLat = Math.min(minLat, p.lat());
      maxLat = Math.max(maxLat, p.lat());
      minLon = Math.min(minLon, p.lon());
      maxLon = Math.max(maxLon, p.lon());
    }
    tree.build();
    // A first search radius from the average density, so a query touches a few dozen points.
    double areaKm2 =
        n == 0
            ? 1
            : Math.max(
                1e-6,
                (maxLat - minLat)
                    * 111.2
                    * (maxLon - minLon)
                    * 111.2
                    * Math.cos(Math.toRadians((minLat + maxLat) / 2)));
    firstRadiusKm = Math.max(0.01, Math.sqrt(16 * areaKm2 / (Math.PI * Math.max(1, n))));
  }

  public static GeoIndex build(List<Locations.Point> points) {
    return new GeoIndex(points);
  }

  public int size() {
    return ids.length;
  }

  /** Ids of at most {@code limit} points within {@code radiusKm}, nearest first, ties by id. */
  public List<String> nearby(double lat, double lon, double radiusKm, int limit) {
    double r = Math.min(radiusKm, firstRadiusKm);
    while (true) {
      List<Hit> hits = new ArrayList<>();
      double within = r;
      ItemVisitor visitor =
          item -> {
            int i = (Integer) item;
            double d = distanceKm(lat, lon, lats[i], lons[i]);
            if (d <= within) {
              hits.add(new Hit(i, d));
            }
          };
      for (Envelope box : boxes(lat, lon, r)) {
        tree.query(box, visitor);
      }
      if (hits.size() >= limit || r >= radiusKm) {
        hits.sort(order());
        List<String> result = new ArrayList<>(Math.min(limit, hits.size()));
        for (int k = 0; k < hits.size() && k < limit; k++) {
          result.add(ids[hits.get(k).index]);
        }
        return result;
      }
      r = Math.min(radiusKm, r * 3);
    }
  }

  /** The reference the benchmark and tests compare with: every point, a bounded heap. */
  public List<String> nearbyLinearScan(double lat, double lon, double radiusKm, int limit) {
    PriorityQueue<Hit> worstFirst = new PriorityQueue<>(order().reversed());
    for (int i = 0; i < ids.length; i++) {
      double d = distanceKm(lat, lon, lats[i], lons[i]);
      if (d <= radiusKm) {
        worstFirst.add(new Hit(i, d));
        if (worstFirst.size() > limit) {
          worstFirst.poll();
        }
      }
    }
    List<Hit> hits = new ArrayList<>(worstFirst);
    hits.sort(order());
    return hits.stream().map(h -> ids[h.index]).toList();
  }

  private record Hit(int index, double distance) {}

  private Comparator<Hit> order() {
    return Comparator.comparingDouble(Hit::distance).thenComparing(h -> ids[h.index]);
  }

  /** The lat/lon box(es) holding every point within r km; split at the antimeridian. */
  static List<Envelope> boxes(double lat, double lon, double radiusKm) {
    double angular = radiusKm / EARTH_RADIUS_KM;
    double dLat = Math.toDegrees(angular) + BOX_MARGIN_DEG;
    double minLat = lat - dLat;
    double maxLat = lat + dLat;
    if (minLat <= -90 || maxLat >= 90 || angular >= Math.PI / 2) {
      // Near a pole every longitude can be within reach.
      return List.of(new Envelope(-180, 180, Math.max(-90, minLat), Math.min(90, maxLat)));
    }
    double dLon =
        Math.toDegrees(Math.asin(Math.min(1, Math.sin(angular) / Math.cos(Math.toRadians(lat)))))
            + BOX_MARGIN_DEG;
    double minLon = lon - dLon;
    double maxLon = lon + dLon;
    if (minLon < -180) {
      return List.of(
          new Envelope(minLon + 360, 180, minLat, maxLat),
          new Envelope(-180, maxLon, minLat, maxLat));
    }
    if (maxLon > 180) {
      return List.of(
          new Envelope(minLon, 180, minLat, maxLat),
          new Envelope(-180, maxLon - 360, minLat, maxLat));
    }
    return List.of(new Envelope(minLon, maxLon, minLat, maxLat));
  }

  /** Haversine great-circle distance. */
  static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double dPhi = phi2 - phi1;
    double dLambda = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dPhi / 2) * Math.sin(dPhi / 2)
            + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }
}
