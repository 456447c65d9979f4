package dev.bellhop.testkit.consul;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Consul cluster shared by all tests of a class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ConsulClusterExtension consul = new ConsulClusterExtension(3);
 * }</pre>
 *
 * <p>Started in {@code beforeAll}, closed in {@code afterAll}; {@code @Nested} classes share the
 * outer cluster. Resolves {@link TestConsulCluster} parameters of test methods, constructors and
 * lifecycle methods.
 */
public final class ConsulClusterExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final TestConsulCluster.Builder builder;
  private TestConsulCluster cluster;
  private int depth;

  /** 3 servers, no agents. */
  public ConsulClusterExtension() {
    this(TestConsulCluster.builder());
  }

  public ConsulClusterExtension(int servers) {
    this(TestConsulCluster.builder().servers(servers));
  }

  public ConsulClusterExtension(TestConsulCluster.Builder builder) {
    this.builder = Objects.requireNonNull(builder, "builder");
  }

  /** The running cluster; only valid between beforeAll and afterAll. */
  public synchronized TestConsulCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException(
          "the Consul cluster is not started: register the extension on a static"
              + " field (@RegisterExtension static final ConsulClusterExtension ...) and use it from tests");
    }
    return cluster;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ == 0) {
      cluster = builder.start();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth == 0 && cluster != null) {
      try {
        cluster.close();
      } finally {
        cluster = null;
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec)
      throws ParameterResolutionException {
    return pc.getParameter().getType() == TestConsulCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec)
      throws ParameterResolutionException {
    return cluster();
  }
}
