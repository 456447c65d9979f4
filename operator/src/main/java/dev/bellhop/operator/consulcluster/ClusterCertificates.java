package dev.bellhop.operator.consulcluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Bellhop's own CA for a ConsulCluster that names no TLS Secret (issue #16: TLS on by default), and
 * the two certificates it issues, held in Secret {@code <name>-tls}:
 *
 * <ul>
 *   <li>{@code ca.crt}, {@code ca.key}: the CA. The key is mounted nowhere: only the operator reads
 *       it, to issue and renew.
 *   <li>{@code server.crt}, {@code server.key}: the servers' certificate, with the SAN {@code
 *       server.<dc>.consul} that {@code verify_server_hostname} checks, the pods' and the client
 *       Service's DNS names, and localhost. Mounted on servers only.
 *   <li>{@code client.crt}, {@code client.key}: the agents' certificate, {@code
 *       client.<dc>.consul}: it lets an agent make RPCs (servers verify incoming RPC) but not pose
 *       as a server, which a shared server certificate on every node allowed.
 * </ul>
 *
 * One Secret, so the CA and what it signed change in one write. Leaf certificates live a year, as
 * {@code consul tls cert create} makes them, and are re-issued once two thirds of that have passed
 * (four months before expiry: time for a rolling restart that waits on a stalled server). The CA
 * lives ten years; a CA past two thirds of its life is replaced together with both leaves.
 */
final class ClusterCertificates {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  static final String CA_CRT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String SERVER_CRT = "server.crt";
  static final String SERVER_KEY = "server.key";
  static final String CLIENT_CRT = "client.crt";
  static final String CLIENT_KEY = "client.key";
  static final List<String> KEYS =
      List.of(CA_CRT, CA_KEY, SERVER_CRT, SERVER_KEY, CLIENT_CRT, CLIENT_KEY);

  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterCertificates() {}

  /** The DNS names a server's certificate carries. */
  static List<String> serverNames(ClusterSettings s) {
    String headless = s.serverName() + "." + s.namespace() + ".svc";
    String client = s.clientServiceName();
    return List.of(
        "server." + s.datacenter() + ".consul",
        "*." + headless,
        client,
        client + "." + s.namespace(),
        client + "." + s.namespace() + ".svc",
        "localhost");
  }

  static List<String> clientNames(ClusterSettings s) {
    return List.of("client." + s.datacenter() + ".consul", "localhost");
  }

  /**
   * The Secret's data for these settings at {@code now}: {@code current} itself when everything in
   * it is sound and far from expiry (so nothing is written), otherwise with what needed it
   * re-issued.
   */
  static Map<String, String> ensure(Map<String, String> current, ClusterSettings s, Instant now) {
    Map<String, String> data = new LinkedHashMap<>(current == null ? Map.of() : current);
    X509Certificate ca = certificate(data.get(CA_CRT));
    PrivateKey caKey = privateKey(data.get(CA_KEY));
    boolean newCa = ca == null || caKey == null || renewDue(ca, CA_VALIDITY, now);
    if (newCa) {
      KeyPair pair = keyPair();
      ca = newCa(s, pair, now);
      caKey = pair.getPrivate();
      data.put(CA_CRT, pem(ca));
      data.put(CA_KEY, pem(caKey));
    }
    issueIfDue(data, SERVER_CRT, SERVER_KEY, serverNames(s), ca, caKey, newCa, now);
    issueIfDue(data, CLIENT_CRT, CLIENT_KEY, clientNames(s), ca, caKey, newCa, now);
    return data;
  }

  private static X509Certificate newCa(ClusterSettings s, KeyPair pair, Instant now) {
    X500Name name = new X500Name("CN=Bellhop Consul CA " + s.namespace() + "/" + s.name());
    try {
      return sign(
          builder(name, name, pair.getPublic(), now, CA_VALIDITY)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
          pair.getPrivate());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void issueIfDue(
      Map<String, String> data,
      String certKey,
      String keyKey,
      List<String> names,
      X509Certificate ca,
      PrivateKey caKey,
      boolean newCa,
      Instant now) {
    X509Certificate cert = certificate(data.get(certKey));
    boolean sound =
        !newCa
            && cert != null
            && privateKey(data.get(keyKey)) != null
            && signedBy(cert, ca)
            && dnsNames(cert).equals(new HashSet<>(names))
            && !renewDue(cert, LEAF_VALIDITY, now);
    if (sound) {
      return;
    }
    KeyPair pair = keyPair();
    GeneralName[] sans = new GeneralName[names.size() + 1];
    for (int i = 0; i < names.size(); i++) {
      sans[i] = new GeneralName(GeneralName.dNSName, names.get(i));
    }
    sans[names.size()] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
    try {
      var builder =
          builder(
                  X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                  new X500Name("CN=" + names.get(0)),
                  pair.getPublic(),
                  now,
                  LEAF_VALIDITY)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              // Both: Consul uses the one certificate to serve (HTTPS, RPC) and to dial (RPC).
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }));
      data.put(certKey, pem(sign(builder, caKey)));
      data.put(keyKey, pem(pair.getPrivate()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Re-issue once two thirds of a certificate's life ({@code validity}) have passed. */
  static boolean renewDue(X509Certificate cert, Duration validity, Instant now) {
    return now.isAfter(cert.getNotAfter().toInstant().minus(validity.dividedBy(3)));
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static Set<String> dnsNames(X509Certificate cert) {
    Set<String> names = new HashSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(GeneralName.dNSName).equals(san.get(0))) {
            names.add((String) san.get(1));
          }
        }
      }
    } catch (GeneralSecurityException e) {
      return Set.of();
    }
    return names;
  }

  /** The first certificate of a PEM text, or null if there is none. */
  static X509Certificate certificate(String pem) {
    if (pem == null || pem.isBlank()) {
      return null;
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  static PrivateKey privateKey(String pem) {
    if (pem == null || pem.isBlank()) {
      return null;
    }
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      var converter = new JcaPEMKeyConverter();
      if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** ECDSA P-256, as {@code consul tls} makes them. */
  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Valid from a minute ago (clock skew between nodes) for {@code validity}. */
  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key, Instant now, Duration validity) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minusSeconds(60)),
        Date.from(now.plus(validity)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  private static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      // A key as PKCS#8 ("PRIVATE KEY"), which Go and PEMParser both read whole; the writer's
      // default for EC keys, SEC1 without the public key, does not convert back here.
      writer.writeObject(
          o instanceof PrivateKey key
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
              : o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
