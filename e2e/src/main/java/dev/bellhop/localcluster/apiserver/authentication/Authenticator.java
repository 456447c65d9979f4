package dev.bellhop.localcluster.apiserver.authentication;

import dev.bellhop.localcluster.apiserver.UserInfo;
import java.util.Optional;

/**
 * The first stage of the chain: who sent the request. Empty when the request carries no credential
 * this authenticator knows; a credential that is present but wrong is a 401 ({@link
 * dev.bellhop.localcluster.apiserver.ApiError#unauthorized()}), as on kube-apiserver.
 */
public interface Authenticator {
  /**
   * @param authorization the Authorization header, or null
   */
  Optional<UserInfo> authenticate(String authorization);
}
