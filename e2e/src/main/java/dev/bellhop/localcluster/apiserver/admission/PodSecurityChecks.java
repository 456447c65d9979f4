package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The Pod Security Standards as kube's pod-security-admission defines them at its latest version:
 * each check with its ID, level, the baseline check it replaces at restricted, and kube's reason
 * and detail text word for word. Checks run in kube's order: baseline then restricted, each by ID.
 */
final class PodSecurityChecks {
  enum Level {
    PRIVILEGED,
    BASELINE,
    RESTRICTED
  }

  record Violation(String reason, String detail) {}

  record Check(
      String id,
      Level level,
      String overrides,
      BiFunction<JsonNode, PodSpecs.Found, Optional<Violation>> run) {}

  private static final Set<String> DEFAULT_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");
  private static final Set<String> RESTRICTED_VOLUME_TYPES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes",
          "net.ipv4.tcp_rmem",
          "net.ipv4.tcp_wmem");
  private static final Set<String> SELINUX_TYPES =
      Set.of("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  static final List<Check> ALL =
      List.of(
          new Check("appArmorProfile", Level.BASELINE, null, PodSecurityChecks::appArmor),
          new Check(
              "capabilities_baseline",
              Level.BASELINE,
              null,
              PodSecurityChecks::capabilitiesBaseline),
          new Check("hostNamespaces", Level.BASELINE, null, PodSecurityChecks::hostNamespaces),
          new Check("hostPathVolumes", Level.BASELINE, null, PodSecurityChecks::hostPathVolumes),
          new Check("hostPorts", Level.BASELINE, null, PodSecurityChecks::hostPorts),
          new Check("hostProcess", Level.BASELINE, null, PodSecurityChecks::hostProcess),
          new Check("privileged", Level.BASELINE, null, PodSecurityChecks::privileged),
          new Check("procMount", Level.BASELINE, null, PodSecurityChecks::procMount),
          new Check("seLinuxOptions", Level.BASELINE, null, PodSecurityChecks::seLinux),
          new Check(
              "seccompProfile_baseline", Level.BASELINE, null, PodSecurityChecks::seccompBaseline),
          new Check("sysctls", Level.BASELINE, null, PodSecurityChecks::sysctls),
          new Check(
              "allowPrivilegeEscalation",
              Level.RESTRICTED,
              null,
              PodSecurityChecks::allowPrivilegeEscalation),
          new Check(
              "capabilities_restricted",
              Level.RESTRICTED,
              "capabilities_baseline",
              PodSecurityChecks::capabilitiesRestricted),
          new Check(
              "restrictedVolumes",
              Level.RESTRICTED,
              "hostPathVolumes",
              PodSecurityChecks::restrictedVolumes),
          new Check("runAsNonRoot", Level.RESTRICTED, null, PodSecurityChecks::runAsNonRoot),
          new Check("runAsUser", Level.RESTRICTED, null, PodSecurityChecks::runAsUser),
          new Check(
              "seccompProfile_restricted",
              Level.RESTRICTED,
              "seccompProfile_baseline",
              PodSecurityChecks::seccompRestricted));

  private PodSecurityChecks() {}

  /** The violations of a pod at a level, in kube's order. */
  static List<Violation> evaluate(Level level, JsonNode metadata, PodSpecs.Found pod) {
    if (level == Level.PRIVILEGED) {
      return List.of();
    }
    List<Check> checks = ALL.stream().filter(c -> c.level().compareTo(level) <= 0).toList();
    Set<String> replaced =
        checks.stream().map(Check::overrides).filter(o -> o != null).collect(Collectors.toSet());
    List<Violation> violations = new ArrayList<>();
    checks.stream()
        .filter(c -> !replaced.contains(c.id()))
        .sorted(Comparator.comparing((Check c) -> c.level()).thenComparing(Check::id))
        .forEach(c -> c.run().apply(metadata, pod).ifPresent(violations::add));
    return violations;
  }

  // ------------------------------------------------------------------ baseline

  private static Optional<Violation> appArmor(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    if ("Unconfined"
        .equals(pod.spec().path("securityContext").path("appArmorProfile").path("type").asText())) {
      bad.add("pod");
    }
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      if ("Unconfined".equals(sc(c).path("appArmorProfile").path("type").asText())) {
        bad.add("container " + quote(c.name()));
      }
    }
    meta.path("annotations")
        .properties()
        .forEach(
            a -> {
              if (a.getKey().startsWith("container.apparmor.security.beta.kubernetes.io/")
                  && !a.getValue().asText().equals("runtime/default")
                  && !a.getValue().asText().startsWith("localhost/")) {
                bad.add("annotation " + a.getKey() + "=" + quote(a.getValue().asText()));
              }
            });
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "forbidden AppArmor profile",
                String.join(", ", bad) + " must not set AppArmor profile type to \"Unconfined\""));
  }

  private static Optional<Violation> capabilitiesBaseline(JsonNode meta, PodSpecs.Found pod) {
    List<String> containers = new ArrayList<>();
    TreeSet<String> capabilities = new TreeSet<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      boolean bad = false;
      for (JsonNode added : sc(c).path("capabilities").path("add")) {
        if (!DEFAULT_CAPABILITIES.contains(added.asText())) {
          capabilities.add(added.asText());
          bad = true;
        }
      }
      if (bad) {
        containers.add(c.name());
      }
    }
    return containers.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "non-default capabilities",
                containers(containers)
                    + " must not include "
                    + joinQuote(capabilities)
                    + " in securityContext.capabilities.add"));
  }

  private static Optional<Violation> hostNamespaces(JsonNode meta, PodSpecs.Found pod) {
    List<String> set = new ArrayList<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (pod.spec().path(field).asBoolean(false)) {
        set.add(field + "=true");
      }
    }
    return set.isEmpty()
        ? Optional.empty()
        : Optional.of(new Violation("host namespaces", String.join(", ", set)));
  }

  private static Optional<Violation> hostPathVolumes(JsonNode meta, PodSpecs.Found pod) {
    List<String> names = new ArrayList<>();
    pod.spec()
        .path("volumes")
        .forEach(
            v -> {
              if (v.has("hostPath")) {
                names.add(v.path("name").asText());
              }
            });
    return names.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "hostPath volumes",
                pluralize("volume", "volumes", names.size()) + " " + joinQuote(names)));
  }

  private static Optional<Violation> hostPorts(JsonNode meta, PodSpecs.Found pod) {
    List<String> containers = new ArrayList<>();
    TreeSet<String> ports = new TreeSet<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      boolean bad = false;
      for (JsonNode port : c.container().path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          ports.add(String.valueOf(port.path("hostPort").asInt()));
          bad = true;
        }
      }
      if (bad) {
        containers.add(c.name());
      }
    }
    return containers.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "hostPort",
                containers(containers)
                    + " "
                    + pluralize("uses", "use", containers.size())
                    + " "
                    + pluralize("hostPort", "hostPorts", ports.size())
                    + " "
                    + String.join(", ", ports)));
  }

  private static Optional<Violation> hostProcess(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    if (pod.spec()
        .path("securityContext")
        .path("windowsOptions")
        .path("hostProcess")
        .asBoolean(false)) {
      bad.add("pod");
    }
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      if (sc(c).path("windowsOptions").path("hostProcess").asBoolean(false)) {
        bad.add("container " + quote(c.name()));
      }
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "hostProcess",
                String.join(" and ", bad)
                    + " must not set securityContext.windowsOptions.hostProcess=true"));
  }

  private static Optional<Violation> privileged(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad =
        PodSpecs.containers(pod).stream()
            .filter(c -> sc(c).path("privileged").asBoolean(false))
            .map(PodSpecs.Container::name)
            .toList();
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "privileged", containers(bad) + " must not set securityContext.privileged=true"));
  }

  private static Optional<Violation> procMount(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    TreeSet<String> values = new TreeSet<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      String mount = sc(c).path("procMount").asText("Default");
      if (!mount.equals("Default")) {
        bad.add(c.name());
        values.add(mount);
      }
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "procMount",
                containers(bad)
                    + " must not set securityContext.procMount to "
                    + joinQuote(values)));
  }

  private static Optional<Violation> seLinux(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    if (badSeLinux(pod.spec().path("securityContext").path("seLinuxOptions"))) {
      bad.add("pod");
    }
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      if (badSeLinux(sc(c).path("seLinuxOptions"))) {
        bad.add("container " + quote(c.name()));
      }
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "seLinuxOptions",
                String.join(" and ", bad) + " set forbidden securityContext.seLinuxOptions"));
  }

  private static boolean badSeLinux(JsonNode options) {
    return !SELINUX_TYPES.contains(options.path("type").asText(""))
        || !options.path("user").asText("").isEmpty()
        || !options.path("role").asText("").isEmpty();
  }

  private static Optional<Violation> seccompBaseline(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    if ("Unconfined"
        .equals(pod.spec().path("securityContext").path("seccompProfile").path("type").asText())) {
      bad.add("pod");
    }
    List<String> containers =
        PodSpecs.containers(pod).stream()
            .filter(c -> "Unconfined".equals(sc(c).path("seccompProfile").path("type").asText()))
            .map(PodSpecs.Container::name)
            .toList();
    if (!containers.isEmpty()) {
      bad.add(containers(containers));
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "seccompProfile",
                String.join(" and ", bad)
                    + " must not set securityContext.seccompProfile.type to \"Unconfined\""));
  }

  private static Optional<Violation> sysctls(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    pod.spec()
        .path("securityContext")
        .path("sysctls")
        .forEach(
            s -> {
              if (!SAFE_SYSCTLS.contains(s.path("name").asText())) {
                bad.add(s.path("name").asText());
              }
            });
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(new Violation("forbidden sysctls", String.join(", ", bad)));
  }

  // ------------------------------------------------------------------ restricted

  private static Optional<Violation> allowPrivilegeEscalation(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad =
        PodSpecs.containers(pod).stream()
            .filter(
                c ->
                    !sc(c).path("allowPrivilegeEscalation").isBoolean()
                        || sc(c).path("allowPrivilegeEscalation").asBoolean())
            .map(PodSpecs.Container::name)
            .toList();
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "allowPrivilegeEscalation != false",
                containers(bad) + " must set securityContext.allowPrivilegeEscalation=false"));
  }

  private static Optional<Violation> capabilitiesRestricted(JsonNode meta, PodSpecs.Found pod) {
    List<String> missingDrop = new ArrayList<>();
    List<String> adding = new ArrayList<>();
    TreeSet<String> forbidden = new TreeSet<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      JsonNode capabilities = sc(c).path("capabilities");
      boolean droppedAll = false;
      for (JsonNode dropped : capabilities.path("drop")) {
        droppedAll |= dropped.asText().equals("ALL");
      }
      if (!droppedAll) {
        missingDrop.add(c.name());
      }
      boolean bad = false;
      for (JsonNode added : capabilities.path("add")) {
        if (!added.asText().equals("NET_BIND_SERVICE")) {
          forbidden.add(added.asText());
          bad = true;
        }
      }
      if (bad) {
        adding.add(c.name());
      }
    }
    List<String> details = new ArrayList<>();
    if (!missingDrop.isEmpty()) {
      details.add(
          containers(missingDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
    }
    if (!adding.isEmpty()) {
      details.add(
          containers(adding)
              + " must not include "
              + joinQuote(forbidden)
              + " in securityContext.capabilities.add");
    }
    return details.isEmpty()
        ? Optional.empty()
        : Optional.of(new Violation("unrestricted capabilities", String.join("; ", details)));
  }

  private static Optional<Violation> restrictedVolumes(JsonNode meta, PodSpecs.Found pod) {
    TreeSet<String> names = new TreeSet<>();
    pod.spec()
        .path("volumes")
        .forEach(
            v -> {
              boolean allowed = false;
              for (String type : RESTRICTED_VOLUME_TYPES) {
                allowed |= v.has(type) && !v.get(type).isNull();
              }
              if (!allowed) {
                names.add(v.path("name").asText());
              }
            });
    // Go's %q of a []string: ["a" "b"]
    return names.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "restricted volume types",
                "volumes "
                    + names.stream()
                        .map(PodSecurityChecks::quote)
                        .collect(Collectors.joining(" ", "[", "]"))
                    + " have restricted types"));
  }

  private static Optional<Violation> runAsNonRoot(JsonNode meta, PodSpecs.Found pod) {
    List<String> badSetters = new ArrayList<>();
    JsonNode podValue = pod.spec().path("securityContext").path("runAsNonRoot");
    boolean podNonRoot = false;
    if (podValue.isBoolean()) {
      if (!podValue.asBoolean()) {
        badSetters.add("pod");
      } else {
        podNonRoot = true;
      }
    }
    List<String> explicitlyBad = new ArrayList<>();
    List<String> implicitlyBad = new ArrayList<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      JsonNode value = sc(c).path("runAsNonRoot");
      if (value.isBoolean()) {
        if (!value.asBoolean()) {
          explicitlyBad.add(c.name());
        }
      } else if (!podNonRoot) {
        implicitlyBad.add(c.name());
      }
    }
    if (!explicitlyBad.isEmpty()) {
      badSetters.add(containers(explicitlyBad));
    }
    if (!badSetters.isEmpty()) {
      return Optional.of(
          new Violation(
              "runAsNonRoot != true",
              String.join(" and ", badSetters)
                  + " must not set securityContext.runAsNonRoot=false"));
    }
    return implicitlyBad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "runAsNonRoot != true",
                "pod or "
                    + containers(implicitlyBad)
                    + " must set securityContext.runAsNonRoot=true"));
  }

  private static Optional<Violation> runAsUser(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = new ArrayList<>();
    JsonNode podUser = pod.spec().path("securityContext").path("runAsUser");
    if (podUser.isNumber() && podUser.asLong() == 0) {
      bad.add("pod");
    }
    List<String> containers =
        PodSpecs.containers(pod).stream()
            .filter(
                c -> sc(c).path("runAsUser").isNumber() && sc(c).path("runAsUser").asLong() == 0)
            .map(PodSpecs.Container::name)
            .toList();
    if (!containers.isEmpty()) {
      bad.add(containers(containers));
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation("runAsUser=0", String.join(" and ", bad) + " must not set runAsUser=0"));
  }

  private static Optional<Violation> seccompRestricted(JsonNode meta, PodSpecs.Found pod) {
    List<String> badSetters = new ArrayList<>();
    TreeSet<String> badValues = new TreeSet<>();
    boolean podSet = false;
    JsonNode podProfile = pod.spec().path("securityContext").path("seccompProfile");
    if (podProfile.isObject()) {
      String type = podProfile.path("type").asText("");
      if (!validSeccomp(type)) {
        badSetters.add("pod");
        badValues.add(type);
      } else {
        podSet = true;
      }
    }
    List<String> explicitlyBad = new ArrayList<>();
    List<String> implicitlyBad = new ArrayList<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      JsonNode profile = sc(c).path("seccompProfile");
      if (profile.isObject()) {
        if (!validSeccomp(profile.path("type").asText(""))) {
          explicitlyBad.add(c.name());
          badValues.add(profile.path("type").asText(""));
        }
      } else if (!podSet) {
        implicitlyBad.add(c.name());
      }
    }
    if (!explicitlyBad.isEmpty()) {
      badSetters.add(containers(explicitlyBad));
    }
    if (!badSetters.isEmpty()) {
      return Optional.of(
          new Violation(
              "seccompProfile",
              String.join(" and ", badSetters)
                  + " must not set securityContext.seccompProfile.type to "
                  + joinQuote(badValues)));
    }
    return implicitlyBad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Violation(
                "seccompProfile",
                "pod or "
                    + containers(implicitlyBad)
                    + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""));
  }

  private static boolean validSeccomp(String type) {
    return type.equals("RuntimeDefault") || type.equals("Localhost");
  }

  // ------------------------------------------------------------------ wording

  private static JsonNode sc(PodSpecs.Container c) {
    return c.container().path("securityContext");
  }

  private static String containers(List<String> names) {
    return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
  }

  private static String pluralize(String one, String many, int count) {
    return count == 1 ? one : many;
  }

  private static String joinQuote(java.util.Collection<String> values) {
    return values.stream().map(PodSecurityChecks::quote).collect(Collectors.joining(", "));
  }

  private static String quote(String value) {
    return FieldErrors.render(value);
  }
}
