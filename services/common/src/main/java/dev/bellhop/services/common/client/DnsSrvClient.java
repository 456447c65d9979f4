package dev.bellhop.services.common.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SRV lookups against one DNS server (e.g. Consul's DNS interface on port 8600).
 *
 * <p>Vert.x's DnsClient returns SRV records without their TTL and without the additional section,
 * so this uses the Netty DNS resolver that Vert.x itself is built on (already on the classpath):
 * one query yields the SRV answers, their TTLs and the targets' A records.
 */
public final class DnsSrvClient implements AutoCloseable {
  /** One resolved instance set; {@code ttlSeconds} is the smallest TTL of the records used. */
  public record SrvResult(List<Endpoint> endpoints, long ttlSeconds) {}

  private record Srv(int priority, int weight, int port, String target, long ttl) {}

  private final Vertx vertx;
  private final InetSocketAddress server;
  private final EventLoopGroup group;
  private final DnsNameResolver resolver;

  public DnsSrvClient(Vertx vertx, String host, int port, long queryTimeoutMillis) {
    this.vertx = vertx;
    this.server = new InetSocketAddress(host, port);
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("bellhop-dns", true));
    this.resolver =
        new DnsNameResolverBuilder(group.next())
            .datagramChannelType(NioDatagramChannel.class)
            .nameServerProvider(new SingletonDnsServerAddressStreamProvider(server))
            .queryTimeoutMillis(queryTimeoutMillis)
            .maxQueriesPerResolve(2)
            .recursionDesired(true)
            .resolveCache(NoopDnsCache.INSTANCE)
            .build();
  }

  /** Parses {@code host:port} as used in DNS_SERVER. */
  public static DnsSrvClient forServer(Vertx vertx, String hostPort, long queryTimeoutMillis) {
    Endpoint endpoint = UpstreamAddress.parseHostPorts(hostPort, hostPort).get(0);
    return new DnsSrvClient(vertx, endpoint.host(), endpoint.port(), queryTimeoutMillis);
  }

  public String server() {
    return server.getHostString() + ":" + server.getPort();
  }

  /**
   * Resolves {@code name} to instances ordered by SRV priority (lowest first). Targets missing from
   * the additional section are looked up with an A query against the same server.
   */
  public Future<SrvResult> lookup(String name) {
    Context context = vertx.getOrCreateContext();
    Promise<SrvResult> promise = Promise.promise();
    query(name, DnsRecordType.SRV)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                context.runOnContext(v -> promise.fail(ar.cause()));
                return;
              }
              Parsed parsed = ar.result();
              List<Future<?>> pending = new ArrayList<>();
              for (Srv srv : parsed.srv) {
                if (!parsed.addresses.containsKey(srv.target) && !isIpLiteral(srv.target)) {
                  pending.add(
                      query(srv.target, DnsRecordType.A)
                          .onSuccess(
                              a -> {
                                synchronized (parsed) {
                                  parsed.addresses.putAll(a.addresses);
                                  parsed.addressTtl = Math.min(parsed.addressTtl, a.addressTtl);
                                }
                              }));
                }
              }
              Future.join(pending)
                  .onComplete(
                      done ->
                          context.runOnContext(
                              v -> {
                                List<Srv> sorted = new ArrayList<>(parsed.srv);
                                sorted.sort((a, b) -> Integer.compare(a.priority, b.priority));
                                List<Endpoint> endpoints = new ArrayList<>();
                                long ttl = parsed.addressTtl;
                                for (Srv srv : sorted) {
                                  String host =
                                      isIpLiteral(srv.target)
                                          ? srv.target
                                          : parsed.addresses.get(srv.target);
                                  if (host == null) {
                                    host = srv.target; // unresolvable here: let the HTTP client's
                                    // resolver try
                                  }
                                  endpoints.add(new Endpoint(host, srv.port));
                                  ttl = Math.min(ttl, srv.ttl);
                                }
                                promise.complete(
                                    new SrvResult(
                                        List.copyOf(endpoints), endpoints.isEmpty() ? 0 : ttl));
                              }));
            });
    return promise.future();
  }

  private static final class Parsed {
    final List<Srv> srv = new ArrayList<>();
    final Map<String, String> addresses = new HashMap<>();
    long addressTtl = Long.MAX_VALUE;
  }

  private Future<Parsed> query(String name, DnsRecordType type) {
    Promise<Parsed> promise = Promise.promise();
    resolver
        .query(new DefaultDnsQuestion(name, type))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                promise.fail(f.cause());
                return;
              }
              @SuppressWarnings("unchecked")
              AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                  (AddressedEnvelope<DnsResponse, InetSocketAddress>) f.getNow();
              try {
                DnsResponse response = envelope.content();
                if (response.code() != DnsResponseCode.NOERROR
                    && response.code() != DnsResponseCode.NXDOMAIN) {
                  promise.fail(
                      new IllegalStateException(
                          "DNS " + type.name() + " " + name + ": " + response.code()));
                  return;
                }
                Parsed parsed = new Parsed();
                read(response, DnsSection.ANSWER, parsed);
                read(response, DnsSection.ADDITIONAL, parsed);
                promise.complete(parsed);
              } catch (RuntimeException e) {
                promise.fail(e);
              } finally {
                envelope.release();
              }
            });
    return promise.future();
  }

  private static void read(DnsResponse response, DnsSection section, Parsed parsed) {
    for (int i = 0; i < response.count(section); i++) {
      DnsRecord record = response.recordAt(section, i);
      if (!(record instanceof DnsRawRecord raw)) {
        continue;
      }
      ByteBuf content = raw.content();
      if (record.type() == DnsRecordType.SRV) {
        // The content is a view into the whole message, so compressed target names decode.
        ByteBuf in = content.duplicate();
        int priority = in.readUnsignedShort();
        int weight = in.readUnsignedShort();
        int port = in.readUnsignedShort();
        String target = stripDot(DefaultDnsRecordDecoder.decodeName(in));
        parsed.srv.add(new Srv(priority, weight, port, target, record.timeToLive()));
      } else if (record.type() == DnsRecordType.A && content.readableBytes() == 4) {
        byte[] ip = new byte[4];
        content.getBytes(content.readerIndex(), ip);
        try {
          parsed.addresses.put(
              stripDot(record.name()), InetAddress.getByAddress(ip).getHostAddress());
        } catch (java.net.UnknownHostException e) {
          throw new IllegalStateException(e); // cannot happen for 4 bytes
        }
        parsed.addressTtl = Math.min(parsed.addressTtl, record.timeToLive());
      }
    }
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }

  @Override
  public void close() {
    resolver.close();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
  }
}
