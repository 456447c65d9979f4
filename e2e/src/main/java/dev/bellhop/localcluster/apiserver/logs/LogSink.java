package dev.bellhop.localcluster.apiserver.logs;

/** Where a log goes: the HTTP response. {@code write} answers false once the client has gone. */
public interface LogSink {
  boolean write(byte[] bytes);
}
