package dev.bellhop.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

public class HotelServiceStatus implements WithConditions {

  private Long observedGeneration;
  private Integer readyEndpoints;
  private Integer registeredEndpoints;
  private String consulService;
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getReadyEndpoints() {
    return readyEndpoints;
  }

  public void setReadyEndpoints(Integer readyEndpoints) {
    this.readyEndpoints = readyEndpoints;
  }

  public Integer getRegisteredEndpoints() {
    return registeredEndpoints;
  }

  public void setRegisteredEndpoints(Integer registeredEndpoints) {
    this.registeredEndpoints = registeredEndpoints;
  }

  public String getConsulService() {
    return consulService;
  }

  public void setConsulService(String consulService) {
    this.consulService = consulService;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HotelServiceStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(readyEndpoints, s.readyEndpoints)
        && Objects.equals(registeredEndpoints, s.registeredEndpoints)
        && Objects.equals(consulService, s.consulService)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration, readyEndpoints, registeredEndpoints, consulService, conditions);
  }
}
