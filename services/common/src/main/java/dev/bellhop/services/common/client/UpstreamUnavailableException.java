package dev.bellhop.services.common.client;

/** No instance of an upstream could be reached (DNS empty or failing, every connection failed). */
public class UpstreamUnavailableException extends RuntimeException {
  public UpstreamUnavailableException(String message) {
    super(message, null, false, false);
  }
}
