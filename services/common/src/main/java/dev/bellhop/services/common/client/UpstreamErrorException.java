package dev.bellhop.services.common.client;

/** An upstream answered with an error status; {@code code} and {@code detail} are its own. */
public class UpstreamErrorException extends RuntimeException {
  private final int code;
  private final String detail;

  public UpstreamErrorException(String upstream, int code, String detail) {
    super(upstream + " answered " + code + ": " + detail, null, false, false);
    this.code = code;
    this.detail = detail;
  }

  public int code() {
    return code;
  }

  public String detail() {
    return detail;
  }
}
