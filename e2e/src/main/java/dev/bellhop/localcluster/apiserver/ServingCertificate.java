package dev.bellhop.localcluster.apiserver;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The API server's TLS identity, made fresh at each start as kubeadm makes a cluster's: a CA (which
 * the kubeconfig and every pod's {@code ca.crt} carry) and a serving certificate it signs for the
 * server's address. Not optional: kubectl 1.36 and Helm send no bearer token over plain HTTP
 * (checked: no Authorization header at all), so without TLS every user would be anonymous.
 */
public record ServingCertificate(String caPem, String certPem, String keyPem) {
  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final X500Name CA = new X500Name("CN=bellhop-local-ca");

  /** A new CA and a certificate for {@code host}, 127.0.0.1 and localhost (ECDSA P-256). */
  public static ServingCertificate generate(String host) {
    try {
      KeyPair ca = keyPair();
      KeyPair server = keyPair();
      Instant now = Instant.now();
      X509v3CertificateBuilder caCert =
          issued(CA, ca.getPublic(), now)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      GeneralNames names =
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(
                    InetAddress.getByName(host).getHostAddress().equals(host)
                        ? GeneralName.iPAddress
                        : GeneralName.dNSName,
                    host)
              });
      X509v3CertificateBuilder serverCert =
          issued(new X500Name("CN=kube-apiserver"), server.getPublic(), now)
              .addExtension(Extension.subjectAlternativeName, false, names)
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      return new ServingCertificate(
          pem("CERTIFICATE", sign(caCert, ca).getEncoded()),
          pem("CERTIFICATE", sign(serverCert, ca).getEncoded()),
          pem("PRIVATE KEY", server.getPrivate().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the API server's certificate", e);
    }
  }

  /** The CA as a kubeconfig's {@code certificate-authority-data} and fabric8's caCertData. */
  public String caData() {
    return Base64.getEncoder()
        .encodeToString(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** A certificate the CA issues (the CA itself too), valid from a minute ago for a year. */
  private static X509v3CertificateBuilder issued(X500Name subject, PublicKey key, Instant now) {
    return new JcaX509v3CertificateBuilder(
        CA,
        BigInteger.valueOf(System.nanoTime()).abs().add(BigInteger.ONE),
        Date.from(now.minusSeconds(60)),
        Date.from(now.plus(VALIDITY)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
