package dev.bellhop.localcluster.apiserver.authentication;

import java.util.Optional;

/** The uids of the objects a token is bound to, as they are now (empty: gone). */
public interface BoundObjects {
  Optional<String> serviceAccountUid(String namespace, String name);

  Optional<String> podUid(String namespace, String name);
}
