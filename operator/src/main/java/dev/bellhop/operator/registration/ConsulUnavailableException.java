package dev.bellhop.operator.registration;

/** Consul could not be reached or did not answer; the write may be retried. */
public class ConsulUnavailableException extends RuntimeException {
  public ConsulUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
