package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
    List<String> bad =
        eachBadSetter(
            pod, sc -> "Unconfined".equals(sc.path("appArmorProfile").path("type").asText()));
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
    return violation(
        bad,
        "forbidden AppArmor profile",
        String.join(", ", bad) + " must not set AppArmor profile type to \"Unconfined\"");
  }

  private static Optional<Violation> capabilitiesBaseline(JsonNode meta, PodSpecs.Found pod) {
    Offenders adding = offenders(pod, c -> addedBeyond(c, DEFAULT_CAPABILITIES));
    return violation(adding.containers(), "non-default capabilities", mustNotAdd(adding));
  }

  private static Optional<Violation> hostNamespaces(JsonNode meta, PodSpecs.Found pod) {
    List<String> set = new ArrayList<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (pod.spec().path(field).asBoolean(false)) {
        set.add(field + "=true");
      }
    }
    return violation(set, "host namespaces", String.join(", ", set));
  }

  private static Optional<Violation> hostPathVolumes(JsonNode meta, PodSpecs.Found pod) {
    List<String> names = volumesWhere(pod, v -> v.has("hostPath"));
    return violation(
        names,
        "hostPath volumes",
        pluralize("volume", "volumes", names.size()) + " " + joinQuote(names));
  }

  private static Optional<Violation> hostPorts(JsonNode meta, PodSpecs.Found pod) {
    Offenders ports =
        offenders(
            pod,
            c ->
                c.container()
                    .path("ports")
                    .valueStream()
                    .map(port -> port.path("hostPort").asInt(0))
                    .filter(port -> port != 0)
                    .map(String::valueOf)
                    .toList());
    return violation(
        ports.containers(),
        "hostPort",
        containers(ports.containers())
            + " "
            + pluralize("uses", "use", ports.containers().size())
            + " "
            + pluralize("hostPort", "hostPorts", ports.values().size())
            + " "
            + String.join(", ", ports.values()));
  }

  private static Optional<Violation> hostProcess(JsonNode meta, PodSpecs.Found pod) {
    return violationBy(
        eachBadSetter(pod, sc -> sc.path("windowsOptions").path("hostProcess").asBoolean(false)),
        "hostProcess",
        "must not set securityContext.windowsOptions.hostProcess=true");
  }

  private static Optional<Violation> privileged(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad = containersWhere(pod, sc -> sc.path("privileged").asBoolean(false));
    return violation(
        bad, "privileged", containers(bad) + " must not set securityContext.privileged=true");
  }

  private static Optional<Violation> procMount(JsonNode meta, PodSpecs.Found pod) {
    Offenders bad =
        offenders(
            pod,
            c -> {
              String mount = sc(c).path("procMount").asText("Default");
              return mount.equals("Default") ? List.of() : List.of(mount);
            });
    return violation(
        bad.containers(),
        "procMount",
        containers(bad.containers())
            + " must not set securityContext.procMount to "
            + joinQuote(bad.values()));
  }

  private static Optional<Violation> seLinux(JsonNode meta, PodSpecs.Found pod) {
    return violationBy(
        eachBadSetter(pod, sc -> badSeLinux(sc.path("seLinuxOptions"))),
        "seLinuxOptions",
        "set forbidden securityContext.seLinuxOptions");
  }

  private static boolean badSeLinux(JsonNode options) {
    return !SELINUX_TYPES.contains(options.path("type").asText(""))
        || !options.path("user").asText("").isEmpty()
        || !options.path("role").asText("").isEmpty();
  }

  private static Optional<Violation> seccompBaseline(JsonNode meta, PodSpecs.Found pod) {
    return violationBy(
        badSetters(pod, sc -> "Unconfined".equals(sc.path("seccompProfile").path("type").asText())),
        "seccompProfile",
        "must not set securityContext.seccompProfile.type to \"Unconfined\"");
  }

  private static Optional<Violation> sysctls(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad =
        pod.spec()
            .path("securityContext")
            .path("sysctls")
            .valueStream()
            .map(s -> s.path("name").asText())
            .filter(name -> !SAFE_SYSCTLS.contains(name))
            .toList();
    return violation(bad, "forbidden sysctls", String.join(", ", bad));
  }

  // ------------------------------------------------------------------ restricted

  private static Optional<Violation> allowPrivilegeEscalation(JsonNode meta, PodSpecs.Found pod) {
    List<String> bad =
        containersWhere(
            pod,
            sc ->
                !sc.path("allowPrivilegeEscalation").isBoolean()
                    || sc.path("allowPrivilegeEscalation").asBoolean());
    return violation(
        bad,
        "allowPrivilegeEscalation != false",
        containers(bad) + " must set securityContext.allowPrivilegeEscalation=false");
  }

  private static Optional<Violation> capabilitiesRestricted(JsonNode meta, PodSpecs.Found pod) {
    List<String> missingDrop =
        containersWhere(
            pod,
            sc ->
                sc.path("capabilities")
                    .path("drop")
                    .valueStream()
                    .noneMatch(dropped -> dropped.asText().equals("ALL")));
    Offenders adding = offenders(pod, c -> addedBeyond(c, Set.of("NET_BIND_SERVICE")));
    List<String> details = new ArrayList<>();
    if (!missingDrop.isEmpty()) {
      details.add(
          containers(missingDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
    }
    if (!adding.containers().isEmpty()) {
      details.add(mustNotAdd(adding));
    }
    return violation(details, "unrestricted capabilities", String.join("; ", details));
  }

  private static Optional<Violation> restrictedVolumes(JsonNode meta, PodSpecs.Found pod) {
    TreeSet<String> names =
        new TreeSet<>(
            volumesWhere(
                pod,
                v ->
                    RESTRICTED_VOLUME_TYPES.stream()
                        .noneMatch(type -> v.has(type) && !v.get(type).isNull())));
    // Go's %q of a []string: ["a" "b"]
    return violation(
        names,
        "restricted volume types",
        "volumes "
            + names.stream()
                .map(PodSecurityChecks::quote)
                .collect(Collectors.joining(" ", "[", "]"))
            + " have restricted types");
  }

  private static Optional<Violation> runAsNonRoot(JsonNode meta, PodSpecs.Found pod) {
    List<String> setFalse =
        badSetters(
            pod, sc -> sc.path("runAsNonRoot").isBoolean() && !sc.path("runAsNonRoot").asBoolean());
    if (!setFalse.isEmpty()) {
      return violationBy(
          setFalse, "runAsNonRoot != true", "must not set securityContext.runAsNonRoot=false");
    }
    List<String> unset = implicitlyBad(pod, sc -> sc.path("runAsNonRoot").isBoolean());
    return violation(
        unset,
        "runAsNonRoot != true",
        "pod or " + containers(unset) + " must set securityContext.runAsNonRoot=true");
  }

  private static Optional<Violation> runAsUser(JsonNode meta, PodSpecs.Found pod) {
    return violationBy(
        badSetters(
            pod, sc -> sc.path("runAsUser").isNumber() && sc.path("runAsUser").asLong() == 0),
        "runAsUser=0",
        "must not set runAsUser=0");
  }

  private static Optional<Violation> seccompRestricted(JsonNode meta, PodSpecs.Found pod) {
    Predicate<JsonNode> setBadly =
        sc -> sc.path("seccompProfile").isObject() && !validSeccomp(seccompType(sc));
    List<String> badSetters = badSetters(pod, setBadly);
    if (!badSetters.isEmpty()) {
      TreeSet<String> badValues =
          Stream.concat(
                  Stream.of(pod.spec().path("securityContext")),
                  PodSpecs.containers(pod).stream().map(PodSecurityChecks::sc))
              .filter(setBadly)
              .map(PodSecurityChecks::seccompType)
              .collect(Collectors.toCollection(TreeSet::new));
      return violationBy(
          badSetters,
          "seccompProfile",
          "must not set securityContext.seccompProfile.type to " + joinQuote(badValues));
    }
    List<String> unset = implicitlyBad(pod, sc -> sc.path("seccompProfile").isObject());
    return violation(
        unset,
        "seccompProfile",
        "pod or "
            + containers(unset)
            + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
  }

  private static String seccompType(JsonNode securityContext) {
    return securityContext.path("seccompProfile").path("type").asText("");
  }

  private static boolean validSeccomp(String type) {
    return type.equals("RuntimeDefault") || type.equals("Localhost");
  }

  // ------------------------------------------------------------------ who sets what

  /** The containers with forbidden values, and those values (sorted, once each). */
  private record Offenders(List<String> containers, TreeSet<String> values) {}

  private static Offenders offenders(
      PodSpecs.Found pod, Function<PodSpecs.Container, List<String>> forbidden) {
    Offenders offenders = new Offenders(new ArrayList<>(), new TreeSet<>());
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      List<String> values = forbidden.apply(c);
      if (!values.isEmpty()) {
        offenders.containers().add(c.name());
        offenders.values().addAll(values);
      }
    }
    return offenders;
  }

  private static List<String> addedBeyond(PodSpecs.Container c, Set<String> allowed) {
    return sc(c)
        .path("capabilities")
        .path("add")
        .valueStream()
        .map(JsonNode::asText)
        .filter(added -> !allowed.contains(added))
        .toList();
  }

  private static String mustNotAdd(Offenders adding) {
    return containers(adding.containers())
        + " must not include "
        + joinQuote(adding.values())
        + " in securityContext.capabilities.add";
  }

  /** The names of the containers whose securityContext is bad, in kube's order. */
  private static List<String> containersWhere(PodSpecs.Found pod, Predicate<JsonNode> bad) {
    return PodSpecs.containers(pod).stream()
        .filter(c -> bad.test(sc(c)))
        .map(PodSpecs.Container::name)
        .toList();
  }

  /** "pod" when its securityContext is bad, then the bad containers in one phrase. */
  private static List<String> badSetters(PodSpecs.Found pod, Predicate<JsonNode> bad) {
    List<String> setters = new ArrayList<>();
    if (bad.test(pod.spec().path("securityContext"))) {
      setters.add("pod");
    }
    List<String> containers = containersWhere(pod, bad);
    if (!containers.isEmpty()) {
      setters.add(containers(containers));
    }
    return setters;
  }

  /** "pod" when its securityContext is bad, then each bad container on its own. */
  private static List<String> eachBadSetter(PodSpecs.Found pod, Predicate<JsonNode> bad) {
    List<String> setters = new ArrayList<>();
    if (bad.test(pod.spec().path("securityContext"))) {
      setters.add("pod");
    }
    containersWhere(pod, bad).forEach(name -> setters.add("container " + quote(name)));
    return setters;
  }

  /**
   * kube's implicitly bad containers: those that leave a field unset when the pod does not set it
   * for them. Called once no one sets it badly, so a pod that sets it sets it well.
   */
  private static List<String> implicitlyBad(PodSpecs.Found pod, Predicate<JsonNode> set) {
    return set.test(pod.spec().path("securityContext"))
        ? List.of()
        : containersWhere(pod, set.negate());
  }

  private static List<String> volumesWhere(PodSpecs.Found pod, Predicate<JsonNode> bad) {
    return pod.spec()
        .path("volumes")
        .valueStream()
        .filter(bad)
        .map(v -> v.path("name").asText())
        .toList();
  }

  // ------------------------------------------------------------------ wording

  private static Optional<Violation> violation(
      Collection<String> offenders, String reason, String detail) {
    return offenders.isEmpty() ? Optional.empty() : Optional.of(new Violation(reason, detail));
  }

  /** "pod and container "a" must not set ...": kube's detail naming who sets a forbidden value. */
  private static Optional<Violation> violationBy(
      List<String> setters, String reason, String mustNot) {
    return violation(setters, reason, String.join(" and ", setters) + " " + mustNot);
  }

  private static JsonNode sc(PodSpecs.Container c) {
    return c.container().path("securityContext");
  }

  private static String containers(List<String> names) {
    return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
  }

  private static String pluralize(String one, String many, int count) {
    return count == 1 ? one : many;
  }

  private static String joinQuote(Collection<String> values) {
    return values.stream().map(PodSecurityChecks::quote).collect(Collectors.joining(", "));
  }

  private static String quote(String value) {
    return FieldErrors.render(value);
  }
}
