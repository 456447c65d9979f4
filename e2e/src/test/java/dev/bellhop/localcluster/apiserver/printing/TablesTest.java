package dev.bellhop.localcluster.apiserver.printing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static List<String> header(ObjectNode table, boolean wide) {
    List<String> names = new ArrayList<>();
    table
        .path("columnDefinitions")
        .forEach(
            c -> {
              if (wide || c.path("priority").asInt() == 0) {
                names.add(c.path("name").asText());
              }
            });
    return names;
  }

  private static List<String> cells(ObjectNode table, int row) {
    List<String> cells = new ArrayList<>();
    table
        .path("rows")
        .path(row)
        .path("cells")
        .forEach(c -> cells.add(c.isNull() ? null : c.asText()));
    return cells;
  }

  @Test
  void kubectlsAcceptHeaderAsksForATableV1() {
    assertThat(
            Tables.requested(
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                    + "g=meta.k8s.io,application/json"))
        .contains("v1");
    assertThat(
            Tables.requested("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json"))
        .contains("v1beta1");
    assertThat(Tables.requested("application/vnd.kubernetes.protobuf,application/json")).isEmpty();
    assertThat(Tables.requested(null)).isEmpty();
  }

  @Test
  void podsShowReadyStatusRestartsAndAgeAndTheWideColumns() throws Exception {
    JsonNode list =
        json(
            """
        {'kind':'PodList','apiVersion':'v1','metadata':{'resourceVersion':'42'},'items':[
         {'metadata':{'name':'geo-1','namespace':'bellhop','creationTimestamp':'2026-12-04T11:57:30Z'},
          'spec':{'nodeName':'node-2','containers':[{'name':'geo'}]},
          'status':{'phase':'Running','podIPs':[{'ip':'127.0.1.5'}],'conditions':[{'type':'Ready','status':'True'}],
           'containerStatuses':[{'name':'geo','ready':true,'restartCount':2,'state':{'running':{}},
             'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-12-04T11:59:00Z'}}}]}},
         {'metadata':{'name':'geo-2','creationTimestamp':'2026-12-04T11:59:55Z'},
          'spec':{'containers':[{'name':'geo'}]},
          'status':{'phase':'Pending','containerStatuses':[{'name':'geo','ready':false,'restartCount':0,
             'state':{'waiting':{'reason':'ContainerCreating'}}}]}},
         {'metadata':{'name':'geo-3','creationTimestamp':'2026-12-04T09:00:00Z','deletionTimestamp':'2026-12-04T11:59:59Z'},
          'spec':{'containers':[{'name':'geo'}]},
          'status':{'phase':'Running','containerStatuses':[{'name':'geo','ready':true,'state':{'running':{}}}]}}]}
        """);
    ObjectNode table =
        Tables.convert(BuiltinPrinters.of("", "pods").orElseThrow(), list, "v1", null, NOW);

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("42");
    assertThat(header(table, false)).containsExactly("Name", "Ready", "Status", "Restarts", "Age");
    assertThat(header(table, true))
        .containsExactly(
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP",
            "Node",
            "Nominated Node",
            "Readiness Gates");
    assertThat(cells(table, 0))
        .containsExactly(
            "geo-1",
            "1/1",
            "Running",
            "2 (60s ago)",
            "2m30s",
            "127.0.1.5",
            "node-2",
            "<none>",
            "<none>");
    assertThat(cells(table, 1).subList(0, 5))
        .containsExactly("geo-2", "0/1", "ContainerCreating", "0", "5s");
    assertThat(cells(table, 2).subList(0, 5))
        .containsExactly("geo-3", "1/1", "Terminating", "0", "3h");
    JsonNode object = table.path("rows").path(0).path("object");
    assertThat(object.path("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(object.path("metadata").path("namespace").asText()).isEqualTo("bellhop");
  }

  @Test
  void includeObjectAsksForTheWholeObjectOrNone() throws Exception {
    JsonNode list =
        json(
            "{'kind':'PodList','apiVersion':'v1','metadata':{},'items':[{'metadata':{'name':'a'},"
                + "'spec':{'containers':[]}}]}");
    Printer pods = BuiltinPrinters.of("", "pods").orElseThrow();
    JsonNode whole =
        Tables.convert(pods, list, "v1", "Object", NOW).path("rows").path(0).path("object");
    assertThat(whole.path("kind").asText()).isEqualTo("Pod");
    assertThat(whole.path("spec").has("containers")).isTrue();
    assertThat(Tables.convert(pods, list, "v1", "None", NOW).path("rows").path(0).has("object"))
        .isFalse();
  }

  @Test
  void deploymentsServicesAndEventsPrintAsKubeDoes() throws Exception {
    JsonNode deployment =
        json(
            """
        {'metadata':{'name':'bellhop-gateway','creationTimestamp':'2026-12-03T12:00:00Z'},
         'spec':{'replicas':3,'selector':{'matchLabels':{'app':'gateway','tier':'edge'}},
          'template':{'spec':{'containers':[{'name':'gateway','image':'bellhop/gateway:1'}]}}},
         'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}
        """);
    ObjectNode table =
        Tables.convert(
            BuiltinPrinters.of("apps", "deployments").orElseThrow(), deployment, "v1", null, NOW);
    assertThat(header(table, true))
        .containsExactly(
            "Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector");
    assertThat(cells(table, 0))
        .containsExactly(
            "bellhop-gateway",
            "2/3",
            "3",
            "2",
            "24h",
            "gateway",
            "bellhop/gateway:1",
            "app=gateway,tier=edge");

    JsonNode service =
        json(
            """
        {'metadata':{'name':'consul-ui','creationTimestamp':'2026-12-04T11:00:00Z'},
         'spec':{'type':'NodePort','clusterIP':'10.96.0.12','selector':{'app':'consul'},
          'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':8600,'protocol':'UDP'}]}}
        """);
    assertThat(
            cells(
                Tables.convert(
                    BuiltinPrinters.of("", "services").orElseThrow(), service, "v1", null, NOW),
                0))
        .containsExactly(
            "consul-ui",
            "NodePort",
            "10.96.0.12",
            "<none>",
            "80:30080/TCP,8600/UDP",
            "60m",
            "app=consul");

    JsonNode event =
        json(
            """
        {'metadata':{'name':'geo-1.17e'},'type':'Warning','reason':'Unhealthy','message':' Readiness probe failed ',
         'involvedObject':{'kind':'Pod','name':'geo-1','fieldPath':'spec.containers{geo}'},
         'source':{'component':'kubelet','host':'node-1'},'count':3,
         'firstTimestamp':'2026-12-04T11:50:00Z','lastTimestamp':'2026-12-04T11:59:00Z'}
        """);
    ObjectNode events =
        Tables.convert(BuiltinPrinters.of("", "events").orElseThrow(), event, "v1", null, NOW);
    assertThat(header(events, false))
        .containsExactly("Last Seen", "Type", "Reason", "Object", "Message");
    assertThat(cells(events, 0))
        .containsExactly(
            "60s",
            "Warning",
            "Unhealthy",
            "pod/geo-1",
            "spec.containers{geo}",
            "kubelet, node-1",
            "Readiness probe failed",
            "10m",
            "3",
            "geo-1.17e");
  }

  @Test
  void nodesLeasesAndNamespaces() throws Exception {
    JsonNode node =
        json(
            """
        {'metadata':{'name':'node-1','creationTimestamp':'2026-12-04T11:00:00Z',
          'labels':{'node-role.kubernetes.io/worker':''}},
         'status':{'conditions':[{'type':'Ready','status':'True'}],'addresses':[{'type':'InternalIP','address':'127.0.0.2'}],
          'nodeInfo':{'kubeletVersion':'v1.34.0-bellhop'}}}
        """);
    assertThat(
            cells(
                Tables.convert(
                    BuiltinPrinters.of("", "nodes").orElseThrow(), node, "v1", null, NOW),
                0))
        .containsExactly(
            "node-1",
            "Ready",
            "worker",
            "60m",
            "v1.34.0-bellhop",
            "127.0.0.2",
            "<none>",
            "<unknown>",
            "<unknown>",
            "<unknown>");
    JsonNode lease =
        json(
            "{'metadata':{'name':'bellhop-operator','creationTimestamp':'2026-12-04T11:59:00Z'},"
                + "'spec':{'holderIdentity':'bellhop-operator-1'}}");
    assertThat(
            cells(
                Tables.convert(
                    BuiltinPrinters.of("coordination.k8s.io", "leases").orElseThrow(),
                    lease,
                    "v1",
                    null,
                    NOW),
                0))
        .containsExactly("bellhop-operator", "bellhop-operator-1", "60s");
    JsonNode namespace =
        json(
            "{'metadata':{'name':'bellhop','creationTimestamp':'2026-12-01T12:00:00Z'},"
                + "'status':{'phase':'Active'}}");
    assertThat(
            cells(
                Tables.convert(
                    BuiltinPrinters.of("", "namespaces").orElseThrow(), namespace, "v1", null, NOW),
                0))
        .containsExactly("bellhop", "Active", "3d");
  }

  @Test
  void customResourcesPrintTheirCrdsColumnsWithJsonPathFiltersAndPriorities() throws Exception {
    JsonNode crd =
        json(
            """
        {'spec':{'versions':[{'name':'v1alpha1','additionalPrinterColumns':[
          {'name':'Ready','type':'integer','jsonPath':'.status.readyEndpoints'},
          {'name':'Registered','type':'integer','jsonPath':'.status.registeredEndpoints'},
          {'name':'Condition','type':'string','jsonPath':'.status.conditions[?(@.type==\\"Ready\\")].status'},
          {'name':'Consul Service','type':'string','priority':1,'jsonPath':'.status.consulService'},
          {'name':'Age','type':'date','jsonPath':'.metadata.creationTimestamp'}]}]}}
        """);
    JsonNode hs =
        json(
            """
        {'metadata':{'name':'geo','creationTimestamp':'2026-12-04T11:58:00Z'},
         'status':{'readyEndpoints':2,'conditions':[{'type':'Registered','status':'False'},{'type':'Ready','status':'True'}],
          'consulService':'geo'}}
        """);
    ObjectNode table =
        Tables.convert(CustomResourcePrinter.of(crd, "v1alpha1"), hs, "v1", null, NOW);
    assertThat(header(table, false))
        .containsExactly("Name", "Ready", "Registered", "Condition", "Age");
    assertThat(header(table, true)).contains("Consul Service");
    // Registered is missing from the status: a null cell, which kubectl prints as <none>.
    assertThat(cells(table, 0)).containsExactly("geo", "2", null, "True", "geo", "2m");
    assertThat(table.path("rows").path(0).path("cells").path(1).isIntegralNumber()).isTrue();

    JsonNode plain = json("{'spec':{'versions':[{'name':'v1'}]}}");
    assertThat(
            header(
                Tables.convert(CustomResourcePrinter.of(plain, "v1"), hs, "v1", null, NOW), true))
        .containsExactly("Name", "Age");
    assertThat(CustomResourcePrinter.of(plain, "v2")).isNull();
  }

  @Test
  void agesReadAsKubectlPrintsThem() {
    assertThat(Age.human(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Age.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(Age.human(Duration.ofMinutes(150))).isEqualTo("150m");
    assertThat(Age.human(Duration.ofMinutes(245))).isEqualTo("4h5m");
    assertThat(Age.human(Duration.ofHours(99))).isEqualTo("4d3h");
    assertThat(Age.human(Duration.ofDays(400))).isEqualTo("400d");
    assertThat(Age.human(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
  }
}
