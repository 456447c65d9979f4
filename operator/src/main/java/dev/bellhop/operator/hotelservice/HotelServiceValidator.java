package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.consulcluster.CredentialSecrets;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulRegistrationSpec;
import dev.bellhop.operator.crd.FieldRules;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceSpec;
import dev.bellhop.operator.registration.InstanceMeta;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a HotelService before anything is written. The CRD's schema holds the same rules ({@link
 * FieldRules}, one home), so a real API server refuses such an object already; this catches one
 * stored before the CRD was tightened, or sent to an API server that enforces no schema (fabric8's
 * mock), with an {@code Invalid} condition instead of a write refused forever. Every problem names
 * the field.
 */
final class HotelServiceValidator {
  private static final Pattern DNS1035_LABEL = Pattern.compile(FieldRules.DNS1035_LABEL);
  private static final Pattern DNS1123_LABEL = Pattern.compile(FieldRules.DNS1123_LABEL);
  private static final Pattern CONSUL_SERVICE = Pattern.compile(FieldRules.CONSUL_SERVICE);
  private static final Pattern IMAGE = Pattern.compile(FieldRules.IMAGE);
  private static final Pattern CONSUL_TAG = Pattern.compile(FieldRules.CONSUL_TAG);
  private static final Pattern META_KEY = Pattern.compile(FieldRules.CONSUL_META_KEY);
  private static final Pattern LABEL_NAME = Pattern.compile(FieldRules.LABEL_NAME);
  private static final Pattern LABEL_VALUE = Pattern.compile(FieldRules.LABEL_VALUE);
  private static final Pattern ENV_NAME = Pattern.compile(FieldRules.ENV_NAME);
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
    } else if (spec.getPort() < FieldRules.PORT_MIN || spec.getPort() > FieldRules.PORT_MAX) {
      problems.add("spec.port must be between 1 and 65535, got " + spec.getPort());
    }
    if (spec.getImage() != null && !IMAGE.matcher(spec.getImage()).matches()) {
      problems.add(
          "spec.image '"
              + spec.getImage()
              + "' must be an image reference without spaces"
              + " (leave it out to register pods Bellhop does not run)");
    }
    if (spec.managed() && !DNS1035_LABEL.matcher(hs.getMetadata().getName()).matches()) {
      problems.add(
          FieldRules.NAME_WITH_IMAGE_MESSAGE + ", got '" + hs.getMetadata().getName() + "'");
    }
    if (spec.getReplicas() != null
        && (spec.getReplicas() < 0 || spec.getReplicas() > FieldRules.REPLICAS_MAX)) {
      problems.add(
          "spec.replicas must be between 0 and "
              + FieldRules.REPLICAS_MAX
              + ", got "
              + spec.getReplicas());
    }
    if (!spec.managed() && spec.getSelector() == null) {
      problems.add(FieldRules.SELECTOR_OR_IMAGE_MESSAGE);
    }
    if (spec.getSelector() != null) {
      if (spec.getSelector().isEmpty()) {
        problems.add(FieldRules.SELECTOR_NOT_EMPTY_MESSAGE);
      }
      spec.getSelector()
          .forEach(
              (key, value) -> {
                if (key == null || !LABEL_NAME.matcher(key).matches()) {
                  problems.add("spec.selector key '" + key + "' is not a valid label name");
                }
                if (value == null || !LABEL_VALUE.matcher(value).matches()) {
                  problems.add(
                      "spec.selector value '"
                          + value
                          + "' of '"
                          + key
                          + "' is not a valid label value");
                }
              });
    }
    if (spec.getEnv() != null) {
      spec.getEnv()
          .forEach(
              env -> {
                if (env.getName() == null || !ENV_NAME.matcher(env.getName()).matches()) {
                  problems.add(
                      "spec.env name '"
                          + env.getName()
                          + "' is not a valid environment variable name");
                }
              });
    }
    validateConsul(hs, spec.getConsul(), problems);
    return problems;
  }

  /**
   * Env values read from a Secret that holds a Consul credential of a ConsulCluster in the
   * namespace ({@code clusters}): the pods would get the management token, a gossip or TLS key. A
   * HotelService's author acts through the operator, which may read those Secrets; its pods may
   * not.
   */
  static List<String> credentialReferences(HotelService hs, Collection<ConsulCluster> clusters) {
    List<EnvVar> env = hs.getSpec() == null ? null : hs.getSpec().getEnv();
    if (env == null || clusters.isEmpty()) {
      return List.of();
    }
    // Secret name -> its ConsulCluster, each cluster's settings derived once.
    Map<String, String> credentials = new java.util.HashMap<>();
    for (ConsulCluster cluster : clusters) {
      CredentialSecrets.of(cluster)
          .forEach(secret -> credentials.put(secret, cluster.getMetadata().getName()));
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < env.size(); i++) {
      var from = env.get(i).getValueFrom();
      String secret =
          from == null || from.getSecretKeyRef() == null ? null : from.getSecretKeyRef().getName();
      if (secret != null && credentials.containsKey(secret)) {
        problems.add(
            "spec.env["
                + i
                + "].valueFrom.secretKeyRef: Secret '"
                + secret
                + "' holds credentials of ConsulCluster '"
                + credentials.get(secret)
                + "'; HotelService pods may not read it");
      }
    }
    return problems;
  }

  private static void validateConsul(
      HotelService hs, ConsulRegistrationSpec consul, List<String> problems) {
    String serviceName = consul == null ? null : consul.getServiceName();
    if (serviceName != null && !CONSUL_SERVICE.matcher(serviceName).matches()) {
      problems.add(
          "spec.consul.serviceName '"
              + serviceName
              + "' is not a valid Consul service name"
              + " (letters, digits and '-', at most 63, so that DNS can find it)");
    } else if (serviceName == null
        && !CONSUL_SERVICE.matcher(hs.getMetadata().getName()).matches()) {
      problems.add(
          FieldRules.NAME_AS_SERVICE_MESSAGE + ", got '" + hs.getMetadata().getName() + "'");
    }
    if (consul == null) {
      return;
    }
    if (consul.getCluster() != null && !DNS1123_LABEL.matcher(consul.getCluster()).matches()) {
      problems.add(
          "spec.consul.cluster '" + consul.getCluster() + "' is not a valid ConsulCluster name");
    }
    if (consul.getTags() != null) {
      for (String tag : consul.getTags()) {
        if (tag == null || !CONSUL_TAG.matcher(tag).matches()) {
          problems.add(
              "spec.consul.tags entry '" + tag + "' must be 1 to 255 characters without spaces");
        }
      }
    }
    Map<String, String> meta = consul.getMeta();
    if (meta != null) {
      if (meta.size() > FieldRules.CONSUL_META_KEYS_MAX) {
        problems.add(
            "spec.consul.meta has "
                + meta.size()
                + " keys; Consul allows "
                + FieldRules.CONSUL_META_KEYS_MAX
                + " besides Bellhop's own");
      }
      meta.forEach(
          (key, value) -> {
            if (key == null || !META_KEY.matcher(key).matches() || key.startsWith("consul-")) {
              problems.add(
                  "spec.consul.meta key '"
                      + key
                      + "' is not a valid Consul meta key"
                      + " (letters, digits, '-' and '_', at most 128, not starting with 'consul-')");
            } else if (RESERVED_META.contains(key)) {
              problems.add(
                  "spec.consul.meta key '" + key + "' is reserved for Bellhop's ownership meta");
            }
            if (value == null || value.length() > FieldRules.CONSUL_META_VALUE_MAX) {
              problems.add(
                  "spec.consul.meta value of '" + key + "' must be at most 512 characters");
            }
          });
    }
  }
}
