package dev.bellhop.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import lombok.Getter;
import lombok.Setter;

@Getter
@Setter
public class HotelServiceStatus implements WithConditions {

  private Long observedGeneration;
  private Integer readyEndpoints;
  private Integer registeredEndpoints;
  private String consulService;
  private List<Condition> conditions = new ArrayList<>();

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
