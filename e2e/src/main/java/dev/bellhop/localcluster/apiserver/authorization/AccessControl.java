package dev.bellhop.localcluster.apiserver.authorization;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.ApiRequest;
import dev.bellhop.localcluster.apiserver.Bodies;
import dev.bellhop.localcluster.apiserver.Chain;
import dev.bellhop.localcluster.apiserver.admission.ServiceAccountAdmission;
import dev.bellhop.localcluster.apiserver.authentication.BoundObjects;
import dev.bellhop.localcluster.apiserver.authentication.InformerBoundObjects;
import dev.bellhop.localcluster.apiserver.authentication.ServiceAccountTokens;
import dev.bellhop.localcluster.apiserver.authentication.TokenAuthenticator;
import dev.bellhop.localcluster.apiserver.authentication.TokenRequests;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Who may do what in the local cluster, in one place for the chain's assembly: bearer-token
 * authentication (the admin token, bound ServiceAccount tokens), RBAC from the stored roles and
 * bindings, the access reviews and TokenRequest endpoints, and the ServiceAccount admission plugin.
 * The RBAC objects, ServiceAccounts and pods are read through informers, which need the API server
 * to be up: {@link #connect} once it is. Until then only the admin (system:masters) gets through.
 */
public final class AccessControl implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceAccountTokens tokens = new ServiceAccountTokens();
  private volatile RbacSource rbacSource;
  private volatile BoundObjects boundObjects;
  private InformerRbacSource rbacInformers;
  private InformerBoundObjects boundInformers;
  private volatile KubernetesClient client;

  /** Adds authentication, authorization, the reviews, TokenRequest and ServiceAccount admission. */
  public void install(Chain.Builder chain) {
    BoundObjects bound =
        new BoundObjects() {
          @Override
          public Optional<String> serviceAccountUid(String namespace, String name) {
            return boundObjects == null
                ? Optional.empty()
                : boundObjects.serviceAccountUid(namespace, name);
          }

          @Override
          public Optional<String> podUid(String namespace, String name) {
            return boundObjects == null ? Optional.empty() : boundObjects.podUid(namespace, name);
          }
        };
    RbacAuthorizer rbac =
        new RbacAuthorizer(
            new RbacSource() {
              @Override
              public List<ClusterRoleBinding> clusterRoleBindings() {
                return rbacSource == null ? List.of() : rbacSource.clusterRoleBindings();
              }

              @Override
              public List<RoleBinding> roleBindings(String namespace) {
                return rbacSource == null ? List.of() : rbacSource.roleBindings(namespace);
              }

              @Override
              public Optional<ClusterRole> clusterRole(String name) {
                return rbacSource == null ? Optional.empty() : rbacSource.clusterRole(name);
              }

              @Override
              public Optional<Role> role(String namespace, String name) {
                return rbacSource == null ? Optional.empty() : rbacSource.role(namespace, name);
              }
            });
    AccessReviews reviews = new AccessReviews(rbac);
    chain
        .authenticator(new TokenAuthenticator(chain.adminToken(), tokens, bound))
        .authorizer(rbac)
        .endpoint(
            request ->
                AccessReviews.handles(request.info())
                    ? Optional.of(review(reviews, request))
                    : Optional.empty())
        .endpoint(new TokenRequests(tokens, bound))
        .admit(new ServiceAccountAdmission(this::serviceAccount));
  }

  /**
   * From the informer, or read when it has not seen it yet (kube's plugin falls back to a live
   * lookup too).
   */
  private Optional<io.fabric8.kubernetes.api.model.ServiceAccount> serviceAccount(
      String namespace, String name) {
    if (boundInformers == null) {
      return Optional.empty();
    }
    return boundInformers
        .serviceAccount(namespace, name)
        .or(
            () ->
                Optional.ofNullable(
                    client.serviceAccounts().inNamespace(namespace).withName(name).get()));
  }

  private static ApiRequest.Response review(AccessReviews reviews, ApiRequest request) {
    String answer = reviews.answer(request.info(), request.user(), Bodies.read(request).toString());
    try {
      return new ApiRequest.Response(201, JSON.readTree(answer));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts the informers through a client of the running API server (an admin's) and waits for
   * their lists.
   */
  public void connect(KubernetesClient client) {
    this.client = client;
    rbacInformers = new InformerRbacSource(client);
    boundInformers = new InformerBoundObjects(client);
    rbacSource = rbacInformers;
    boundObjects = boundInformers;
  }

  /** The tokens the kubelet projects are asked through the TokenRequest API; this is its issuer. */
  public ServiceAccountTokens tokens() {
    return tokens;
  }

  @Override
  public void close() {
    if (rbacInformers != null) {
      rbacInformers.close();
    }
    if (boundInformers != null) {
      boundInformers.close();
    }
  }
}
