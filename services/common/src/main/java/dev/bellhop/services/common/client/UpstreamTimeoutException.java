package dev.bellhop.services.common.client;

/** An upstream call did not finish within its timeout. */
public class UpstreamTimeoutException extends RuntimeException {
  public UpstreamTimeoutException(String message) {
    super(message, null, false, false);
  }
}
