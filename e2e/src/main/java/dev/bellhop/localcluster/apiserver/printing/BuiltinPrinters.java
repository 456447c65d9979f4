package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * kube-apiserver's printers (pkg/printers/internalversion) for the kinds the local cluster runs:
 * the same columns, priorities and cell rules, so {@code kubectl get} looks as it does against a
 * real cluster. The server prints every column; kubectl hides priority 1 unless {@code -o wide}.
 */
public final class BuiltinPrinters {
  private static final String NONE = "<none>";

  /** A printer whose row is worked out at once (pods, events: some cells depend on others). */
  private record Simple(List<Column> columns, BiFunction<JsonNode, Instant, List<Object>> row)
      implements Printer {
    @Override
    public List<Object> cells(JsonNode object, Instant now) {
      return row.apply(object, now);
    }
  }

  /** A column and how an object fills it, for the printers whose cells are each read alone. */
  private record Cell(Column column, BiFunction<JsonNode, Instant, Object> value) {}

  // Declared before PRINTERS, which uses them.
  private static final Cell NAME = new Cell(Column.nameColumn(), (o, now) -> name(o));
  private static final Cell AGE = new Cell(Column.age(), BuiltinPrinters::age);
  private static final Cell READY_REPLICAS =
      cell(
          "Ready",
          "string",
          "Number of the pod with ready state",
          o ->
              o.path("status").path("readyReplicas").asLong()
                  + "/"
                  + o.path("spec").path("replicas").asLong(1));

  // The wide columns of the workloads (kube's layoutContainerCells and the pod selector).
  private static final Cell CONTAINERS =
      templateContainers(
          Column.wide("Containers", "string", "Names of each container in the template."), "name");
  private static final Cell IMAGES =
      templateContainers(
          Column.wide("Images", "string", "Images referenced by each container in the template."),
          "image");
  private static final Cell SELECTOR =
      cell(
          Column.wide("Selector", "string", "Label selector for pods."),
          o -> selector(o.path("spec").path("selector")));

  private static final Map<String, Printer> PRINTERS =
      Map.ofEntries(
          Map.entry("/pods", pods()),
          Map.entry("apps/deployments", deployments()),
          Map.entry("apps/statefulsets", statefulSets()),
          Map.entry("apps/daemonsets", daemonSets()),
          Map.entry("/services", services()),
          Map.entry("/events", events()),
          Map.entry("/nodes", nodes()),
          Map.entry("coordination.k8s.io/leases", leases()),
          Map.entry("/namespaces", namespaces()),
          Map.entry("/configmaps", configMaps()),
          Map.entry("/secrets", secrets()));

  private BuiltinPrinters() {}

  /**
   * The printer of a built-in resource ("" for the core group), if kube has one the local cluster
   * mirrors.
   */
  public static Optional<Printer> of(String group, String resource) {
    return Optional.ofNullable(PRINTERS.get((group == null ? "" : group) + "/" + resource));
  }

  /** kube's default for a resource without a printer: Name and Created At. */
  public static Printer fallback() {
    return printer(
        NAME,
        cell(
            "Created At",
            "date",
            "CreationTimestamp is a timestamp representing the server time when this object was created.",
            o -> text(o.path("metadata").path("creationTimestamp"))));
  }

  static Printer pods() {
    return new Simple(
        List.of(
            Column.nameColumn(),
            Column.of(
                "Ready",
                "string",
                "The aggregate readiness state of this pod for accepting traffic."),
            Column.of("Status", "string", "The aggregate status of the containers in this pod."),
            Column.of(
                "Restarts",
                "string",
                "The number of times the containers in this pod have been restarted and "
                    + "when the last container in this pod has restarted."),
            Column.age(),
            Column.wide(
                "IP",
                "string",
                "IP address allocated to the pod. Routable at least within the cluster."),
            Column.wide(
                "Node",
                "string",
                "NodeName is a request to schedule this pod onto a specific node."),
            Column.wide(
                "Nominated Node",
                "string",
                "nominatedNodeName is set when this pod preempts other pods on the " + "node."),
            Column.wide(
                "Readiness Gates",
                "string",
                "If specified, all readiness gates will be evaluated for pod " + "readiness.")),
        BuiltinPrinters::podCells);
  }

  private static List<Object> podCells(JsonNode pod, Instant now) {
    JsonNode status = pod.path("status");
    String phase = status.path("phase").asText("");
    String reason =
        status.path("reason").asText("").isEmpty() ? phase : status.path("reason").asText();
    int restarts = 0;
    int ready = 0;
    Instant lastRestart = null;
    boolean hasRunning = false;
    JsonNode statuses = status.path("containerStatuses");
    for (int i = statuses.size() - 1; i >= 0; i--) {
      JsonNode c = statuses.get(i);
      restarts += c.path("restartCount").asInt();
      String finished = c.path("lastState").path("terminated").path("finishedAt").asText("");
      if (!finished.isEmpty()) {
        Instant at = Instant.parse(finished);
        lastRestart = lastRestart == null || lastRestart.isBefore(at) ? at : lastRestart;
      }
      JsonNode state = c.path("state");
      JsonNode terminated = state.path("terminated");
      if (!state.path("waiting").path("reason").asText("").isEmpty()) {
        reason = state.path("waiting").path("reason").asText();
      } else if (!terminated.path("reason").asText("").isEmpty()) {
        reason = terminated.path("reason").asText();
      } else if (terminated.isObject()) {
        reason =
            terminated.path("signal").asInt() != 0
                ? "Signal:" + terminated.path("signal").asInt()
                : "ExitCode:" + terminated.path("exitCode").asInt();
      } else if (c.path("ready").asBoolean() && state.has("running")) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason.equals("Completed") && hasRunning) {
      reason = condition(status, "Ready").equals("True") ? "Running" : "NotReady";
    }
    boolean deleting = !pod.path("metadata").path("deletionTimestamp").asText("").isEmpty();
    if (deleting && status.path("reason").asText("").equals("NodeLost")) {
      reason = "Unknown";
    } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }
    String restartCell =
        restarts != 0 && lastRestart != null
            ? restarts + " (" + Age.human(java.time.Duration.between(lastRestart, now)) + " ago)"
            : String.valueOf(restarts);
    String ip = status.path("podIPs").path(0).path("ip").asText("");
    JsonNode gates = pod.path("spec").path("readinessGates");
    String gateCell = NONE;
    if (gates.size() > 0) {
      int passing = 0;
      for (JsonNode gate : gates) {
        passing += condition(status, gate.path("conditionType").asText()).equals("True") ? 1 : 0;
      }
      gateCell = passing + "/" + gates.size();
    }
    return cells(
        name(pod),
        ready + "/" + pod.path("spec").path("containers").size(),
        reason,
        restartCell,
        age(pod, now),
        orNone(ip),
        orNone(pod.path("spec").path("nodeName").asText("")),
        orNone(status.path("nominatedNodeName").asText("")),
        gateCell);
  }

  static Printer deployments() {
    return printer(
        NAME,
        READY_REPLICAS,
        statusCount(
            "Up-to-date",
            "updatedReplicas",
            "Total number of non-terminated pods targeted by this deployment that "
                + "have the desired template spec."),
        statusCount(
            "Available",
            "availableReplicas",
            "Total number of available pods (ready for at least minReadySeconds) "
                + "targeted by this deployment."),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR);
  }

  static Printer statefulSets() {
    return printer(NAME, READY_REPLICAS, AGE, CONTAINERS, IMAGES);
  }

  static Printer daemonSets() {
    return printer(
        NAME,
        statusCount(
            "Desired",
            "desiredNumberScheduled",
            "The total number of nodes that should be running the daemon pod."),
        statusCount(
            "Current",
            "currentNumberScheduled",
            "The number of nodes that are running at least 1 daemon pod and are "
                + "supposed to run the daemon pod."),
        statusCount(
            "Ready",
            "numberReady",
            "numberReady is the number of nodes that should be running the daemon pod "
                + "and have one or more of the daemon pod running with a Ready Condition."),
        statusCount(
            "Up-to-date",
            "updatedNumberScheduled",
            "The total number of nodes that are running updated daemon pod"),
        statusCount(
            "Available",
            "numberAvailable",
            "The number of nodes that should be running the daemon pod and have one "
                + "or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        cell(
            "Node Selector",
            "string",
            "NodeSelector is a selector which must be true for the pod to fit on " + "a node.",
            d -> labels(d.path("spec").path("template").path("spec").path("nodeSelector"))),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR);
  }

  static Printer services() {
    return printer(
        NAME,
        cell(
            "Type",
            "string",
            "type determines how the Service is exposed.",
            BuiltinPrinters::serviceType),
        cell(
            "Cluster-IP",
            "string",
            "clusterIP is the IP address of the service.",
            s -> orNone(s.path("spec").path("clusterIP").asText(""))),
        cell(
            "External-IP",
            "string",
            "externalIPs is a list of IP addresses for which nodes in the cluster "
                + "will also accept traffic for this service.",
            BuiltinPrinters::externalIp),
        cell(
            "Port(s)",
            "string",
            "The list of ports that are exposed by this service.",
            BuiltinPrinters::ports),
        AGE,
        cell(
            Column.wide(
                "Selector",
                "string",
                "Route service traffic to pods with label keys and values matching this "
                    + "selector."),
            s -> labels(s.path("spec").path("selector"))));
  }

  private static String serviceType(JsonNode service) {
    return service.path("spec").path("type").asText("ClusterIP");
  }

  private static String ports(JsonNode service) {
    List<String> ports = new ArrayList<>();
    for (JsonNode p : service.path("spec").path("ports")) {
      String protocol = p.path("protocol").asText("TCP");
      ports.add(
          p.path("nodePort").asInt() > 0
              ? p.path("port").asInt() + ":" + p.path("nodePort").asInt() + "/" + protocol
              : p.path("port").asInt() + "/" + protocol);
    }
    return ports.isEmpty() ? NONE : String.join(",", ports);
  }

  private static String externalIp(JsonNode service) {
    List<String> ips = new ArrayList<>();
    service.path("spec").path("externalIPs").forEach(ip -> ips.add(ip.asText()));
    switch (serviceType(service)) {
      case "LoadBalancer" -> {
        service
            .path("status")
            .path("loadBalancer")
            .path("ingress")
            .forEach(i -> ips.add(i.path("ip").asText(i.path("hostname").asText())));
        return ips.isEmpty() ? "<pending>" : String.join(",", ips);
      }
      case "ExternalName" -> {
        return service.path("spec").path("externalName").asText();
      }
      default -> {
        return ips.isEmpty() ? NONE : String.join(",", ips);
      }
    }
  }

  static Printer events() {
    return new Simple(
        List.of(
            Column.of(
                "Last Seen",
                "string",
                "Deprecated field assuring backward compatibility with old EventList. "
                    + "Use Series.LastObservedTime"),
            Column.of(
                "Type",
                "string",
                "Type of this event (Normal, Warning), new types could be added in the future"),
            Column.of(
                "Reason",
                "string",
                "This should be a short, machine understandable string that gives the reason "
                    + "for the transition into the object's current status."),
            Column.of("Object", "string", "The object that this event is about."),
            Column.wide(
                "Subobject",
                "string",
                "If referring to a piece of an object instead of an entire object, "
                    + "this string should contain a valid JSON/Go field access statement."),
            Column.wide(
                "Source",
                "string",
                "The component reporting this event. Should be a short machine "
                    + "understandable string."),
            Column.of(
                "Message",
                "string",
                "A human-readable description of the status of this operation."),
            Column.wide("First Seen", "string", "The time at which the event was first recorded."),
            Column.wide("Count", "string", "The number of times this event has occurred."),
            Column.wide("Name", "string", "Name must be unique within a namespace.")),
        (e, now) -> {
          String first =
              e.path("firstTimestamp").isTextual()
                  ? Age.since(e.path("firstTimestamp"), now)
                  : Age.since(e.path("eventTime"), now);
          String last =
              e.path("lastTimestamp").isTextual() ? Age.since(e.path("lastTimestamp"), now) : first;
          long count = e.path("count").asLong();
          if (e.path("series").isObject()) {
            last = Age.since(e.path("series").path("lastObservedTime"), now);
            count = e.path("series").path("count").asLong();
          } else if (count == 0) {
            count = 1;
          }
          JsonNode involved = e.path("involvedObject");
          String kind = involved.path("kind").asText("").toLowerCase();
          String target =
              involved.path("name").asText("").isEmpty()
                  ? kind
                  : kind + "/" + involved.path("name").asText();
          JsonNode source = e.path("source");
          String from = source.path("component").asText("");
          if (!source.path("host").asText("").isEmpty()) {
            from = from + ", " + source.path("host").asText();
          }
          if (from.isEmpty()) {
            from = e.path("reportingComponent").asText("");
            if (!e.path("reportingInstance").asText("").isEmpty()) {
              from = from + ", " + e.path("reportingInstance").asText();
            }
          }
          return cells(
              last,
              e.path("type").asText(""),
              e.path("reason").asText(""),
              target,
              involved.path("fieldPath").asText(""),
              from,
              e.path("message").asText("").trim(),
              first,
              count,
              name(e));
        });
  }

  static Printer nodes() {
    return printer(
        NAME,
        cell("Status", "string", "The status of the node", BuiltinPrinters::nodeStatus),
        cell("Roles", "string", "The roles of the node", BuiltinPrinters::roles),
        AGE,
        cell(
            "Version",
            "string",
            "Kubelet Version reported by the node.",
            n -> n.path("status").path("nodeInfo").path("kubeletVersion").asText("")),
        cell(
            Column.wide("Internal-IP", "string", "List of addresses reachable to the node."),
            n -> address(n, "InternalIP")),
        cell(
            Column.wide("External-IP", "string", "List of addresses reachable to the node."),
            n -> address(n, "ExternalIP")),
        nodeInfo(
            Column.wide(
                "OS-Image",
                "string",
                "OS Image reported by the node from /etc/os-release (e.g. Debian "
                    + "GNU/Linux 7 (wheezy))."),
            "osImage"),
        nodeInfo(
            Column.wide(
                "Kernel-Version",
                "string",
                "Kernel Version reported by the node from 'uname -r' (e.g. "
                    + "3.16.0-0.bpo.4-amd64)."),
            "kernelVersion"),
        nodeInfo(
            Column.wide(
                "Container-Runtime",
                "string",
                "ContainerRuntime Version reported by the node through runtime "
                    + "remote API (e.g. containerd://1.4.2)."),
            "containerRuntimeVersion"));
  }

  private static String nodeStatus(JsonNode node) {
    String ready = condition(node.path("status"), "Ready");
    String status = ready.equals("True") ? "Ready" : ready.equals("False") ? "NotReady" : "Unknown";
    return node.path("spec").path("unschedulable").asBoolean()
        ? status + ",SchedulingDisabled"
        : status;
  }

  private static String roles(JsonNode node) {
    List<String> roles = new ArrayList<>();
    node.path("metadata")
        .path("labels")
        .fieldNames()
        .forEachRemaining(
            label -> {
              if (label.startsWith("node-role.kubernetes.io/")) {
                roles.add(label.substring("node-role.kubernetes.io/".length()));
              }
            });
    return roles.isEmpty() ? NONE : String.join(",", roles);
  }

  /** A field of the node's nodeInfo, "<unknown>" when empty. */
  private static Cell nodeInfo(Column column, String field) {
    return cell(column, n -> orUnknown(n.path("status").path("nodeInfo").path(field).asText("")));
  }

  static Printer leases() {
    return printer(
        NAME,
        cell(
            "Holder",
            "string",
            "holderIdentity contains the identity of the holder of a current lease.",
            l -> l.path("spec").path("holderIdentity").asText("")),
        AGE);
  }

  static Printer namespaces() {
    return printer(
        NAME,
        cell(
            "Status",
            "string",
            "The status of the namespace",
            n -> n.path("status").path("phase").asText("Active")),
        AGE);
  }

  static Printer configMaps() {
    return printer(
        NAME,
        cell(
            "Data",
            "integer",
            "Number of data entries in this ConfigMap",
            c -> (long) (c.path("data").size() + c.path("binaryData").size())),
        AGE);
  }

  static Printer secrets() {
    return printer(
        NAME,
        cell("Type", "string", "The type of the secret", s -> s.path("type").asText("Opaque")),
        cell(
            "Data",
            "integer",
            "Number of data entries in this secret",
            s -> (long) (s.path("data").size() + s.path("stringData").size())),
        AGE);
  }

  private static Printer printer(Cell... cells) {
    return new Simple(
        Stream.of(cells).map(Cell::column).toList(),
        (o, now) -> Stream.of(cells).map(c -> c.value().apply(o, now)).toList());
  }

  private static Cell cell(Column column, Function<JsonNode, Object> value) {
    return new Cell(column, (o, now) -> value.apply(o));
  }

  private static Cell cell(
      String name, String type, String description, Function<JsonNode, Object> value) {
    return cell(Column.of(name, type, description), value);
  }

  /** An integer column read from the object's status. */
  private static Cell statusCount(String name, String field, String description) {
    return cell(name, "integer", description, o -> o.path("status").path(field).asLong());
  }

  /** A field of each container in the pod template, comma-joined. */
  private static Cell templateContainers(Column column, String field) {
    return cell(
        column,
        o ->
            o.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .valueStream()
                .map(c -> c.path(field).asText())
                .collect(Collectors.joining(",")));
  }

  /** labels.FormatLabels: "a=b,c=d" sorted by key, "<none>" when empty. */
  private static String labels(JsonNode map) {
    if (!map.isObject() || map.isEmpty()) {
      return NONE;
    }
    Map<String, String> sorted = new TreeMap<>();
    map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
    return sorted.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** A LabelSelector as kube's labels.Selector prints it: requirements sorted by key. */
  private static String selector(JsonNode selector) {
    Map<String, String> requirements = new TreeMap<>();
    selector
        .path("matchLabels")
        .fields()
        .forEachRemaining(
            e -> requirements.put(e.getKey(), e.getKey() + "=" + e.getValue().asText()));
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      values.sort(null);
      String op = expression.path("operator").asText();
      requirements.put(
          key,
          switch (op) {
            case "In" -> key + " in (" + String.join(",", values) + ")";
            case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
            case "Exists" -> key;
            case "DoesNotExist" -> "!" + key;
            default -> key + " " + op;
          });
    }
    return requirements.isEmpty() ? NONE : String.join(",", requirements.values());
  }

  private static String address(JsonNode node, String type) {
    for (JsonNode a : node.path("status").path("addresses")) {
      if (a.path("type").asText().equals(type)) {
        return a.path("address").asText();
      }
    }
    return NONE;
  }

  private static String condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c.path("status").asText();
      }
    }
    return "";
  }

  static String name(JsonNode object) {
    return object.path("metadata").path("name").asText("");
  }

  static String age(JsonNode object, Instant now) {
    return Age.since(object.path("metadata").path("creationTimestamp"), now);
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : null;
  }

  private static String orNone(String value) {
    return value.isEmpty() ? NONE : value;
  }

  private static String orUnknown(String value) {
    return value.isEmpty() ? "<unknown>" : value;
  }

  private static List<Object> cells(Object... cells) {
    return Arrays.asList(cells);
  }
}
