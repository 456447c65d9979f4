package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's default images are the ones `make images` builds, from the jars the modules build.
 */
class ImagesTest {
  static final Path ROOT = Charts.repoRoot();

  @Test
  void chartDefaultsNameTheBuiltImages() throws IOException {
    String version = projectVersion();
    var objects = Charts.objects(Charts.template(Map.of()));
    Stream<String> images =
        Stream.concat(
            Charts.ofType(objects, Deployment.class).stream()
                .map(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()),
            Charts.ofType(objects, HotelService.class).stream().map(h -> h.getSpec().getImage()));
    List<String> names =
        images
            .map(
                image -> {
                  Matcher m = Pattern.compile("bellhop/([a-z]+):(.+)").matcher(image);
                  assertThat(m.matches()).as(image).isTrue();
                  assertThat(m.group(2)).as(image).isEqualTo(version);
                  return m.group(1);
                })
            .sorted()
            .toList();
    assertThat(names)
        .containsExactly("auth", "gateway", "geo", "hotel", "operator", "profile", "rate");
    String script = Files.readString(ROOT.resolve("scripts/packaging-images.sh"));
    for (String name : names) {
      assertThat(script).contains(name);
      assertDockerfile(name);
    }
  }

  private static void assertDockerfile(String name) throws IOException {
    Path file = ROOT.resolve("images/" + name + ".Dockerfile");
    String dockerfile = Files.readString(file);
    assertThat(dockerfile).as(file.toString()).containsPattern("(?m)^FROM eclipse-temurin:17-jre");
    assertThat(dockerfile).as(file.toString()).containsPattern("(?m)^USER 10001:10001$");
    String jar =
        name.equals("operator")
            ? "operator/target/bellhop-operator.jar"
            : "services/" + name + "/target/" + name + ".jar";
    assertThat(dockerfile).as(file.toString()).contains("COPY " + jar + " /app/" + name + ".jar");
    assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/" + name + ".jar\"]");
    // The jar is what the module's build names it (finalName), so the COPY finds it after `mvn
    // package`.
    String pom =
        Files.readString(ROOT.resolve(jar.substring(0, jar.indexOf("/target/")) + "/pom.xml"));
    assertThat(pom)
        .as("the build of " + jar)
        .contains(
            name.equals("operator")
                ? "<finalName>bellhop-operator</finalName>"
                : "<service.name>" + name + "</service.name>");
    assertThat(Files.readString(ROOT.resolve("images/" + name + ".Dockerfile.dockerignore")))
        .contains("!" + jar);
  }

  @Test
  void chartAppVersionIsTheProjectVersion() throws IOException {
    assertThat(Files.readString(Charts.chart().resolve("Chart.yaml")))
        .contains("appVersion: \"" + projectVersion() + "\"");
  }

  private static String projectVersion() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^  <version>(.+)</version>$")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
