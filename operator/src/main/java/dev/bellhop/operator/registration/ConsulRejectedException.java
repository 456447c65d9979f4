package dev.bellhop.operator.registration;

/** Consul answered but refused the write (a transaction error, a denied token). */
public class ConsulRejectedException extends RuntimeException {
  public ConsulRejectedException(String message) {
    super(message);
  }
}
