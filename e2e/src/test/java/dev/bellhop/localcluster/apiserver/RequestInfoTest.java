package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Paths and verbs as kube-apiserver's RequestInfoFactory reads them. */
class RequestInfoTest {
  @Test
  void namespacedObjectWithSubresource() {
    RequestInfo info =
        RequestInfo.parse("PUT", "/apis/apps/v1/namespaces/shop/deployments/web/status");
    assertThat(info.resourceRequest()).isTrue();
    assertThat(info.verb()).isEqualTo("update");
    assertThat(info.apiGroup()).isEqualTo("apps");
    assertThat(info.apiVersion()).isEqualTo("v1");
    assertThat(info.groupVersion()).isEqualTo("apps/v1");
    assertThat(info.namespace()).isEqualTo("shop");
    assertThat(info.resource()).isEqualTo("deployments");
    assertThat(info.name()).isEqualTo("web");
    assertThat(info.subresource()).isEqualTo("status");
  }

  @Test
  void verbsFromMethodNameAndWatch() {
    assertThat(RequestInfo.parse("GET", "/api/v1/namespaces/a/pods").verb()).isEqualTo("list");
    assertThat(RequestInfo.parse("GET", "/api/v1/pods").verb()).isEqualTo("list");
    assertThat(RequestInfo.parse("GET", "/api/v1/namespaces/a/pods/p").verb()).isEqualTo("get");
    assertThat(
            RequestInfo.parse("GET", "/api/v1/namespaces/a/pods?watch=true&resourceVersion=5")
                .verb())
        .isEqualTo("watch");
    assertThat(RequestInfo.parse("GET", "/api/v1/namespaces/a/pods?watch=1").verb())
        .isEqualTo("watch");
    assertThat(RequestInfo.parse("POST", "/api/v1/namespaces/a/pods").verb()).isEqualTo("create");
    assertThat(RequestInfo.parse("PATCH", "/api/v1/namespaces/a/pods/p").verb()).isEqualTo("patch");
    assertThat(RequestInfo.parse("DELETE", "/api/v1/namespaces/a/pods/p").verb())
        .isEqualTo("delete");
    assertThat(RequestInfo.parse("DELETE", "/api/v1/namespaces/a/pods").verb())
        .isEqualTo("deletecollection");
  }

  @Test
  void allNamespacesAndClusterScoped() {
    RequestInfo all = RequestInfo.parse("GET", "/api/v1/pods");
    assertThat(all.namespace()).isNull();
    assertThat(all.apiGroup()).isEmpty();
    RequestInfo node = RequestInfo.parse("GET", "/api/v1/nodes/n1");
    assertThat(node.namespace()).isNull();
    assertThat(node.name()).isEqualTo("n1");
  }

  @Test
  void namespacesAreTheirOwnNamespaceAndHaveSubresources() {
    RequestInfo ns = RequestInfo.parse("GET", "/api/v1/namespaces/shop");
    assertThat(ns.resource()).isEqualTo("namespaces");
    assertThat(ns.name()).isEqualTo("shop");
    assertThat(ns.namespace()).isEqualTo("shop");
    RequestInfo status = RequestInfo.parse("PUT", "/api/v1/namespaces/shop/status");
    assertThat(status.resource()).isEqualTo("namespaces");
    assertThat(status.name()).isEqualTo("shop");
    assertThat(status.subresource()).isEqualTo("status");
    RequestInfo finalize = RequestInfo.parse("PUT", "/api/v1/namespaces/shop/finalize");
    assertThat(finalize.subresource()).isEqualTo("finalize");
  }

  @Test
  void nonResourceRequests() {
    for (String path :
        new String[] {
          "/version", "/api", "/apis", "/api/v1", "/apis/apps/v1", "/openapi/v3", "/healthz"
        }) {
      RequestInfo info = RequestInfo.parse("GET", path);
      assertThat(info.resourceRequest()).as(path).isFalse();
      assertThat(info.verb()).isEqualTo("get");
      assertThat(info.path()).isEqualTo(path);
    }
  }

  @Test
  void queryParametersAreDecoded() {
    RequestInfo info =
        RequestInfo.parse(
            "GET",
            "/api/v1/namespaces/a/pods?labelSelector=app%3Dweb%2Ctier%21%3Dx&fieldSelector=spec.nodeName%3Dn1&limit=500");
    assertThat(info.param("labelSelector")).hasValue("app=web,tier!=x");
    assertThat(info.param("fieldSelector")).hasValue("spec.nodeName=n1");
    assertThat(info.param("limit")).hasValue("500");
    assertThat(info.param("missing")).isEmpty();
  }

  @Test
  void customResources() {
    RequestInfo info =
        RequestInfo.parse(
            "PATCH", "/apis/bellhop.dev/v1alpha1/namespaces/b/hotelservices/geo/status");
    assertThat(info.apiGroup()).isEqualTo("bellhop.dev");
    assertThat(info.resource()).isEqualTo("hotelservices");
    assertThat(info.subresource()).isEqualTo("status");
  }
}
