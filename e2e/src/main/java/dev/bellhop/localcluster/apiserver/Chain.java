package dev.bellhop.localcluster.apiserver;

import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugin;
import dev.bellhop.localcluster.apiserver.authentication.Authenticator;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stages of the local API server, in kube-apiserver's order: who asks ({@link Authenticator}),
 * may they ({@link Authorizer}, skipped for {@link UserInfo#MASTERS}), then for writes the
 * admission plugins in the order given (mutating ones, validation, validating ones) before the
 * store; beside them the hooks other parts add: {@link Endpoint}s (OpenAPI, logs, reviews) and
 * {@link ReadView}s (Tables). The one place the chain is assembled: {@code LocalCluster} fills it,
 * tests build their own.
 */
public record Chain(
    Authenticator authenticator,
    Authorizer authorizer,
    List<AdmissionPlugin> admission,
    List<Endpoint> endpoints,
    List<ReadView> views,
    Discovery discovery) {
  /** The user of the admin kubeconfig and of the cluster's own parts. */
  public static final UserInfo ADMIN =
      new UserInfo("kubernetes-admin", "", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));

  public Chain {
    admission = List.copyOf(admission);
    endpoints = List.copyOf(endpoints);
    views = List.copyOf(views);
  }

  public static Builder builder(String adminToken) {
    return new Builder(adminToken);
  }

  public static final class Builder {
    private final String adminToken;
    private Authenticator authenticator;
    private Authorizer authorizer = (user, request) -> Authorizer.Decision.allow();
    private final List<AdmissionPlugin> admission = new ArrayList<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<ReadView> views = new ArrayList<>();
    private final Discovery discovery = new Discovery();
    private StoredObjects stored;

    private Builder(String adminToken) {
      this.adminToken = adminToken;
      this.authenticator = adminOnly(adminToken);
    }

    /**
     * Replaces the default, which knows only the admin token (anyone else is anonymous). Whatever
     * replaces it should still map {@code adminToken()} to {@link #ADMIN}.
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /** Replaces the default, which allows everything. */
    public Builder authorizer(Authorizer authorizer) {
      this.authorizer = authorizer;
      return this;
    }

    /** The authorizer the chain will have (for a plugin that asks it: read it when asking). */
    public Authorizer authorizer() {
      return authorizer;
    }

    /** Appends an admission plugin: they run in the order added. */
    public Builder admit(AdmissionPlugin plugin) {
      admission.add(plugin);
      return this;
    }

    /**
     * Adds an endpoint (OpenAPI, logs, reviews): asked in order, before the front's own handling.
     */
    public Builder endpoint(Endpoint endpoint) {
      endpoints.add(endpoint);
      return this;
    }

    /** Adds a view of reads (Tables): applied in order to what a get or list answers. */
    public Builder view(ReadView view) {
      views.add(view);
      return this;
    }

    public String adminToken() {
      return adminToken;
    }

    /**
     * What the server stores, for endpoints and views that answer from it (set before the stages
     * are filled).
     */
    public StoredObjects stored() {
      return stored;
    }

    /**
     * The kinds the front serves (built-in ones and every stored CRD's), for stages that need them.
     */
    public Discovery discovery() {
      return discovery;
    }

    Builder serving(StoredObjects stored) {
      this.stored = stored;
      return this;
    }

    public Chain build() {
      return new Chain(authenticator, authorizer, admission, endpoints, views, discovery);
    }
  }

  /**
   * The admin kubeconfig's bearer token is {@link #ADMIN}; no token is anonymous (so is any other,
   * for now).
   */
  static Authenticator adminOnly(String adminToken) {
    String expected = "Bearer " + adminToken;
    return authorization ->
        Optional.of(expected.equals(authorization) ? ADMIN : UserInfo.ANONYMOUS);
  }
}
