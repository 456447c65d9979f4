{{/* Name prefix of the chart's own objects. */}}
{{- define "bellhop.fullname" -}}
{{- if contains "bellhop" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-bellhop" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "bellhop.labels" -}}
app.kubernetes.io/part-of: bellhop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An image reference: (dict "root" $ "image" .image) */}}
{{- define "bellhop.image" -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s%s:%s" .root.Values.image.registry .image.repository $tag -}}
{{- end -}}

{{- define "bellhop.operatorName" -}}
{{- printf "%s-operator" (include "bellhop.fullname" .) -}}
{{- end -}}

{{- define "bellhop.gatewayName" -}}
{{- printf "%s-gateway" (include "bellhop.fullname" .) -}}
{{- end -}}

{{/* The ConsulCluster's client Service (HTTP 8500 / HTTPS 8501, DNS 53). */}}
{{- define "bellhop.consulHost" -}}
{{- printf "%s.%s.svc" .Values.consul.name .Release.Namespace -}}
{{- end -}}

{{- define "bellhop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "bellhop.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}
