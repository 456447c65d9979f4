package dev.bellhop.testkit.consul;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A minimal DNS SRV lookup over UDP, enough to check Consul's DNS interface without dig. */
final class DnsSrv {
  record Srv(int priority, int weight, int port, String target) {}

  private DnsSrv() {}

  static List<Srv> query(String host, int port, String name) throws IOException {
    int id = ThreadLocalRandom.current().nextInt(0x10000);
    ByteArrayOutputStream q = new ByteArrayOutputStream();
    q.write(id >> 8);
    q.write(id);
    q.write(0x01); // RD
    q.write(0x00);
    q.write(0);
    q.write(1); // QDCOUNT
    q.write(0);
    q.write(0); // ANCOUNT
    q.write(0);
    q.write(0); // NSCOUNT
    q.write(0);
    q.write(0); // ARCOUNT
    for (String label : name.split("\\.")) {
      q.write(label.length());
      q.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    q.write(0);
    q.write(0);
    q.write(33); // SRV
    q.write(0);
    q.write(1); // IN
    byte[] req = q.toByteArray();
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(2000);
      s.send(new DatagramPacket(req, req.length, new InetSocketAddress(host, port)));
      byte[] buf = new byte[4096];
      DatagramPacket resp = new DatagramPacket(buf, buf.length);
      s.receive(resp);
      ByteBuffer b = ByteBuffer.wrap(buf, 0, resp.getLength());
      if ((b.getShort(0) & 0xffff) != id) {
        throw new IOException("DNS id mismatch");
      }
      int rcode = b.get(3) & 0x0f;
      if (rcode != 0) {
        throw new IOException("DNS rcode " + rcode + " for " + name);
      }
      int qd = b.getShort(4) & 0xffff;
      int an = b.getShort(6) & 0xffff;
      b.position(12);
      for (int i = 0; i < qd; i++) {
        readName(b);
        b.position(b.position() + 4);
      }
      List<Srv> out = new ArrayList<>();
      for (int i = 0; i < an; i++) {
        readName(b);
        int type = b.getShort() & 0xffff;
        b.getShort(); // class
        b.getInt(); // ttl
        int len = b.getShort() & 0xffff;
        int end = b.position() + len;
        if (type == 33) {
          int prio = b.getShort() & 0xffff;
          int weight = b.getShort() & 0xffff;
          int p = b.getShort() & 0xffff;
          out.add(new Srv(prio, weight, p, readName(b)));
        }
        b.position(end);
      }
      return out;
    }
  }

  private static String readName(ByteBuffer b) {
    StringBuilder sb = new StringBuilder();
    int pos = b.position();
    int resume = -1;
    while (true) {
      int len = b.get(pos) & 0xff;
      if ((len & 0xc0) == 0xc0) {
        int ptr = ((len & 0x3f) << 8) | (b.get(pos + 1) & 0xff);
        if (resume < 0) {
          resume = pos + 2;
        }
        pos = ptr;
        continue;
      }
      pos++;
      if (len == 0) {
        break;
      }
      byte[] label = new byte[len];
      for (int i = 0; i < len; i++) {
        label[i] = b.get(pos + i);
      }
      pos += len;
      sb.append(new String(label, java.nio.charset.StandardCharsets.US_ASCII)).append('.');
    }
    b.position(resume >= 0 ? resume : pos);
    return sb.toString();
  }
}
