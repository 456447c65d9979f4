package dev.bellhop.services.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * customers.json: {@code [{"id","username","passwordHash"}]}, hashes in bcrypt's modular format.
 */
public final class Customers {
  public record Customer(String id, String username, String passwordHash) {}

  private final Map<String, Customer> byUsername;
  private final Map<String, Customer> byId;
  private final int cost;

  private Customers(Map<String, Customer> byUsername, Map<String, Customer> byId, int cost) {
    this.byUsername = byUsername;
    this.byId = byId;
    this.cost = cost;
  }

  public static Customers parse(Buffer json) {
    Map<String, Customer> byUsername = new HashMap<>();
    Map<String, Customer> byId = new HashMap<>();
    int cost = 4; // bcrypt's lowest
    for (Object row : new JsonArray(json)) {
      JsonObject object = (JsonObject) row;
      Customer customer =
          new Customer(
              object.getString("id"),
              object.getString("username"),
              object.getString("passwordHash"));
      if (!customer.passwordHash().startsWith("$2")) {
        throw new IllegalArgumentException(
            "customer " + customer.username() + " has no bcrypt hash");
      }
      byUsername.put(customer.username(), customer);
      byId.put(customer.id(), customer);
      // $2a$10$...: the cost is the second field.
      cost = Math.max(cost, Integer.parseInt(customer.passwordHash().split("\\$")[2]));
    }
    return new Customers(Map.copyOf(byUsername), Map.copyOf(byId), cost);
  }

  /** The highest bcrypt cost among the hashes: what a login for an unknown name must cost too. */
  public int cost() {
    return cost;
  }

  public Customer byUsername(String username) {
    return byUsername.get(username);
  }

  public Customer byId(String id) {
    return byId.get(id);
  }

  public int size() {
    return byId.size();
  }
}
