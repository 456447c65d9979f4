package dev.bellhop.localcluster.apiserver.authorization;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;

/**
 * The second stage: may this user do this? Members of system:masters are allowed before this is
 * asked.
 */
public interface Authorizer {
  /** Allowed, or the reason for a 403 (may be empty; the message names user, verb and resource). */
  Decision authorize(UserInfo user, RequestInfo request);

  record Decision(boolean allowed, String reason) {
    public static Decision allow() {
      return new Decision(true, "");
    }

    public static Decision deny(String reason) {
      return new Decision(false, reason);
    }
  }
}
