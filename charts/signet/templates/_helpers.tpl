{{/* The chart's name, or nameOverride. */}}
{{- define "signet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: fullnameOverride, or RELEASE-signet unless the release name already holds it. */}}
{{- define "signet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "signet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "signet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "signet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "signet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: signet
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "signet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "signet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the serving certificate (tls.crt, tls.key, ca.crt). */}}
{{- define "signet.tlsSecretName" -}}
{{- printf "%s-tls" (include "signet.fullname" .) }}
{{- end }}

{{- define "signet.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The webhooks' namespaceSelector: never kube-system nor signet's own namespace (signet must be able to start while it is down), nor the dry-run namespace (signet's own dry-runs would come back to it). */}}
{{- define "signet.namespaceSelector" -}}
{{- $excluded := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces }}
{{- if .Values.dryRun.enabled }}{{- $excluded = append $excluded .Values.dryRun.namespace }}{{- end -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- toYaml ($excluded | uniq) | nindent 6 }}
{{- with .Values.webhook.namespaceSelectorExpressions }}
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pods, their ephemeral containers, the pod controllers, and the kinds the values add. */}}
{{- define "signet.webhookRules" -}}
- apiGroups: [""]
  apiVersions: ["v1"]
  operations: ["CREATE", "UPDATE"]
  resources: ["pods", "pods/ephemeralcontainers"]
  scope: Namespaced
- apiGroups: ["apps"]
  apiVersions: ["v1"]
  operations: ["CREATE", "UPDATE"]
  resources: ["deployments", "replicasets", "statefulsets", "daemonsets"]
  scope: Namespaced
- apiGroups: ["batch"]
  apiVersions: ["v1"]
  operations: ["CREATE", "UPDATE"]
  resources: ["jobs", "cronjobs"]
  scope: Namespaced
{{- range .Values.webhook.extraRules }}
- apiGroups: {{ toJson .apiGroups }}
  apiVersions: {{ toJson .apiVersions }}
  operations: ["CREATE", "UPDATE"]
  resources: {{ toJson .resources }}
  scope: {{ default "*" .scope | quote }}
{{- end }}
{{- end }}

{{/* The serving certificate's DNS names: the Service as the API server addresses it. */}}
{{- define "signet.serviceDNSNames" -}}
{{- $svc := include "signet.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- toJson (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns)) }}
{{- end }}

{{/*
"true" when the replicas elect the one writing the PolicyReports (the others hand their results over as
AdmissionReports): with policyReports and leaderElection, and more than one replica (one needs no election).
*/}}
{{- define "signet.leaderElection" -}}
{{- if and .Values.rbac.policyReports .Values.rbac.leaderElection (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}
