package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

public class ConsulClusterStatus {

  private Long observedGeneration;

  @JsonPropertyDescription("Servers wanted (spec.servers with its default).")
  private Integer servers;

  @JsonPropertyDescription("Ready server pods, from the StatefulSet.")
  private Integer readyServers;

  @JsonPropertyDescription("The raft leader (ip:port) as Consul reports it; empty when unknown.")
  private String leader;

  @JsonPropertyDescription("The raft peers (ip:port) as Consul reports them.")
  private List<String> peers;

  @JsonPropertyDescription("Ready, Invalid (with reason and message).")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Integer getServers() { return servers; }
  public void setServers(Integer servers) { this.servers = servers; }
  public Integer getReadyServers() { return readyServers; }
  public void setReadyServers(Integer readyServers) { this.readyServers = readyServers; }
  public String getLeader() { return leader; }
  public void setLeader(String leader) { this.leader = leader; }
  public List<String> getPeers() { return peers; }
  public void setPeers(List<String> peers) { this.peers = peers; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsulClusterStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(servers, s.servers)
        && Objects.equals(readyServers, s.readyServers)
        && Objects.equals(leader, s.leader)
        && Objects.equals(peers, s.peers)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, servers, readyServers, leader, peers, conditions);
  }
}
