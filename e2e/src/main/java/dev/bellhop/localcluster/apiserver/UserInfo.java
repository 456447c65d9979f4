package dev.bellhop.localcluster.apiserver;

import java.util.List;

/**
 * Who sent a request, as kube-apiserver's authenticators report it: a user name ({@code
 * system:serviceaccount:<ns>:<name>} for a ServiceAccount) and groups.
 */
public record UserInfo(String name, String uid, List<String> groups) {
  /** The group that bypasses authorization (never admission), as on a real cluster. */
  public static final String MASTERS = "system:masters";

  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final UserInfo ANONYMOUS =
      new UserInfo("system:anonymous", "", List.of(UNAUTHENTICATED));

  public boolean isMember(String group) {
    return groups.contains(group);
  }
}
