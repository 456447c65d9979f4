package dev.bellhop.services.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.services.gateway.PathMapping.Target;
import org.junit.jupiter.api.Test;

class PathMappingTest {
  @Test
  void mapsLikeTheMicroApi() {
    assertThat(PathMapping.map("/hotel/rates")).isEqualTo(new Target("hotel", "Hotel.Rates"));
    assertThat(PathMapping.map("/profile/get-profiles"))
        .isEqualTo(new Target("profile", "Profile.GetProfiles"));
    assertThat(PathMapping.map("/my-svc/do-it")).isEqualTo(new Target("my-svc", "MySvc.DoIt"));
    assertThat(PathMapping.map("/v1/foo/bar")).isEqualTo(new Target("v1.foo", "Foo.Bar"));
    assertThat(PathMapping.map("/v12/foo/bar")).isEqualTo(new Target("v12.foo", "Foo.Bar"));
    assertThat(PathMapping.map("/foo/bar/baz")).isEqualTo(new Target("foo", "Bar.Baz"));
    assertThat(PathMapping.map("/a/b/c/d")).isEqualTo(new Target("a.b", "C.D"));
    assertThat(PathMapping.map("/v1/a/b/c")).isEqualTo(new Target("v1.a", "B.C"));
    assertThat(PathMapping.map("/geo")).isEqualTo(new Target("geo", "Geo.Call"));
    assertThat(PathMapping.map("/hotel/rates/")).isEqualTo(new Target("hotel", "Hotel.Rates"));
    assertThat(PathMapping.map("//hotel//rates")).isEqualTo(new Target("hotel", "Hotel.Rates"));
  }

  @Test
  void rejectsPathsThatNameNoMethod() {
    assertThat(PathMapping.map("/")).isNull();
    assertThat(PathMapping.map("")).isNull();
    assertThat(PathMapping.map("/hotel/ra tes")).isNull();
    assertThat(PathMapping.map("/hotel/-rates")).isNull();
    assertThat(PathMapping.map("/hotel/Hotel.Rates")).isNull();
  }
}
