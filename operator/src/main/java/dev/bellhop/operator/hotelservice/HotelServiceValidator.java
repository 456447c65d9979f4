package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.ConsulRegistrationSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceSpec;
import dev.bellhop.operator.registration.InstanceMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a HotelService before anything is written (the API server may not enforce the CRD
 * schema). Every problem names the field, so the {@code Invalid} condition tells the user what
 * to fix.
 */
final class HotelServiceValidator {
  /** Consul service names must be valid DNS labels to be discoverable through DNS. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern CONSUL_SERVICE = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?");
  private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final Pattern LABEL_NAME = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final Set<String> RESERVED_META = InstanceMeta.RESERVED;

  private HotelServiceValidator() {}

  static List<String> validate(HotelService hs) {
    List<String> problems = new ArrayList<>();
    HotelServiceSpec spec = hs.getSpec();
    if (spec == null) {
      return List.of("spec is required");
    }
    if (spec.getPort() == null) {
      problems.add("spec.port is required");
    } else if (spec.getPort() < 1 || spec.getPort() > 65535) {
      problems.add("spec.port must be between 1 and 65535, got " + spec.getPort());
    }
    if (spec.getImage() != null && spec.getImage().isBlank()) {
      problems.add("spec.image must not be blank (leave it out to register pods Bellhop does not run)");
    }
    if (spec.getReplicas() != null && spec.getReplicas() < 0) {
      problems.add("spec.replicas must not be negative, got " + spec.getReplicas());
    }
    if (spec.getImage() == null && spec.getSelector() == null) {
      problems.add("spec.selector is required when spec.image is not set");
    }
    if (spec.getSelector() != null) {
      if (spec.getSelector().isEmpty()) {
        problems.add("spec.selector must not be empty (an empty selector would match every pod)");
      }
      spec.getSelector().forEach((key, value) -> {
        if (key == null || !LABEL_NAME.matcher(key).matches()) {
          problems.add("spec.selector key '" + key + "' is not a valid label name");
        }
        if (value == null || !LABEL_VALUE.matcher(value).matches()) {
          problems.add("spec.selector value '" + value + "' of '" + key + "' is not a valid label value");
        }
      });
    }
    if (spec.getEnv() != null) {
      spec.getEnv().forEach(env -> {
        if (env.getName() == null || !ENV_NAME.matcher(env.getName()).matches()) {
          problems.add("spec.env name '" + env.getName() + "' is not a valid environment variable name");
        }
      });
    }
    validateConsul(hs, spec.getConsul(), problems);
    return problems;
  }

  private static void validateConsul(HotelService hs, ConsulRegistrationSpec consul, List<String> problems) {
    String service = hs.consulServiceName();
    if (!CONSUL_SERVICE.matcher(service).matches()) {
      String field = consul != null && consul.getServiceName() != null ? "spec.consul.serviceName" : "metadata.name";
      problems.add(field + " '" + service + "' is not a valid Consul service name"
          + " (letters, digits and '-', at most 63, so that DNS can find it)");
    }
    if (consul == null) {
      return;
    }
    if (consul.getCluster() != null && !DNS_LABEL.matcher(consul.getCluster()).matches()) {
      problems.add("spec.consul.cluster '" + consul.getCluster() + "' is not a valid ConsulCluster name");
    }
    if (consul.getTags() != null) {
      for (String tag : consul.getTags()) {
        if (tag == null || tag.isBlank() || tag.length() > 255 || tag.chars().anyMatch(Character::isWhitespace)) {
          problems.add("spec.consul.tags entry '" + tag + "' must be 1 to 255 characters without spaces");
        }
      }
    }
    Map<String, String> meta = consul.getMeta();
    if (meta != null) {
      if (meta.size() + RESERVED_META.size() > 64) {
        problems.add("spec.consul.meta has " + meta.size() + " keys; Consul allows " + (64 - RESERVED_META.size())
            + " besides Bellhop's own");
      }
      meta.forEach((key, value) -> {
        if (key == null || !META_KEY.matcher(key).matches() || key.startsWith("consul-")) {
          problems.add("spec.consul.meta key '" + key + "' is not a valid Consul meta key"
              + " (letters, digits, '-' and '_', at most 128, not starting with 'consul-')");
        } else if (RESERVED_META.contains(key)) {
          problems.add("spec.consul.meta key '" + key + "' is reserved for Bellhop's ownership meta");
        }
        if (value == null || value.length() > 512) {
          problems.add("spec.consul.meta value of '" + key + "' must be at most 512 characters");
        }
      });
    }
  }
}
