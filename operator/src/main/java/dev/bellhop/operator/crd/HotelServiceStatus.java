package dev.bellhop.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.Getter;
import lombok.Setter;

@Getter
@Setter
@EqualsAndHashCode
public class HotelServiceStatus implements WithConditions {

  private Long observedGeneration;
  private Integer readyEndpoints;
  private Integer registeredEndpoints;
  private String consulService;
  private List<Condition> conditions = new ArrayList<>();
}
