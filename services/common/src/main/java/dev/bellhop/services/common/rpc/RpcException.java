package dev.bellhop.services.common.rpc;

/**
 * A failure with an HTTP status, rendered as a go-micro style error body. Handlers throw (or fail
 * futures with) this for anything the caller did wrong, so that bad input never surfaces as a 500.
 */
public class RpcException extends RuntimeException {
  private final int code;

  public RpcException(int code, String detail) {
    super(detail, null, false, false); // expected control flow: no stack trace
    this.code = code;
  }

  public RpcException(int code, String detail, Throwable cause) {
    super(detail, cause, false, false);
    this.code = code;
  }

  public int code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  public static RpcException badRequest(String detail) {
    return new RpcException(400, detail);
  }

  public static RpcException unauthorized(String detail) {
    return new RpcException(401, detail);
  }

  public static RpcException forbidden(String detail) {
    return new RpcException(403, detail);
  }

  public static RpcException notFound(String detail) {
    return new RpcException(404, detail);
  }

  public static RpcException unavailable(String detail) {
    return new RpcException(503, detail);
  }
}
