{{/* Names, labels and the values every component shares. */}}

{{- define "klambda.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* `<release>-<chart>`, or the release name alone when it holds the chart name (release `klambda` → `klambda`). */}}
{{- define "klambda.fullname" -}}
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

{{- define "klambda.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; `component` is passed in: (dict "ctx" $ "component" "router"). */}}
{{- define "klambda.labels" -}}
helm.sh/chart: {{ include "klambda.chart" .ctx }}
{{ include "klambda.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: klambda
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "klambda.selectorLabels" -}}
app.kubernetes.io/name: {{ include "klambda.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{/* The selector of the Redis pods as `k=v,...`, for the controller's --redis-labels (function pods' NetworkPolicy). */}}
{{- define "klambda.redis.labelsFlag" -}}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s,app.kubernetes.io/component=redis" (include "klambda.name" .) .Release.Name }}
{{- end }}

{{- define "klambda.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "klambda.redis.image" -}}
{{- $i := .Values.redis.image }}
{{- if $i.digest }}{{ printf "%s:%s@%s" $i.repository $i.tag $i.digest }}{{ else }}{{ printf "%s:%s" $i.repository $i.tag }}{{ end }}
{{- end }}

{{- define "klambda.redis.internal" -}}
{{- if not .Values.redis.external.url }}true{{ end }}
{{- end }}

{{/* The Secret with the controller's and router's Redis passwords (the chart's, or the one given for an external Redis). */}}
{{- define "klambda.redis.secretName" -}}
{{- if .Values.redis.external.url }}
{{- required "redis.external.existingSecret is required with redis.external.url" .Values.redis.external.existingSecret }}
{{- else }}
{{- printf "%s-redis" (include "klambda.fullname" .) }}
{{- end }}
{{- end }}

{{/* Redis as pods reach it, without credentials (the agents' --agent-redis-url; each version's agents get their own user). */}}
{{- define "klambda.redis.url" -}}
{{- if .Values.redis.external.url }}
{{- .Values.redis.external.url }}
{{- else }}
{{- printf "redis://%s-redis.%s.svc:6379" (include "klambda.fullname" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
  REDIS_URL for a Redis user: the kubelet puts $(REDIS_PASSWORD) in (hex or alphanumeric: nothing to escape). The
  query is kept: a Redis Cluster's further seed nodes (redis+cluster://host:port?addr=host:port).
*/}}
{{- define "klambda.redis.userUrl" -}}
{{- $u := urlParse (include "klambda.redis.url" .ctx) }}
{{- printf "%s://%s:$(REDIS_PASSWORD)@%s%s%s" $u.scheme .user $u.host $u.path (ternary (printf "?%s" $u.query) "" (ne $u.query "")) }}
{{- end }}

{{/* Restricted pod security for klambda's own containers. */}}
{{- define "klambda.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "klambda.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
  A role of config/rbac/role.yaml (the one source of klambda's permissions; files/rbac/role.yaml links to it), by kind
  and name there, named for this release and labelled: (dict "ctx" $ "kind" "ClusterRole" "name" "klambda-router"
  "component" "router").
*/}}
{{- define "klambda.rbacRole" -}}
{{- $ctx := .ctx }}
{{- $found := dict }}
{{- range $doc := regexSplit "(?m)^---\\s*$" ($ctx.Files.Get "files/rbac/role.yaml") -1 }}
{{- $obj := fromYaml $doc }}
{{- if and (eq (get $obj "kind" | toString) $.kind) (eq (dig "metadata" "name" "" $obj) $.name) }}
{{- $found = $obj }}
{{- end }}
{{- end }}
{{- if not $found.rules }}
{{- fail (printf "config/rbac/role.yaml has no %s %s" .kind .name) }}
{{- end }}
{{- $meta := dict "name" (printf "%s-%s" (include "klambda.fullname" $ctx) (trimPrefix "klambda-" .name)) "labels" (include "klambda.labels" (dict "ctx" $ctx "component" .component) | fromYaml) }}
{{- if eq .kind "Role" }}
{{- $_ := set $meta "namespace" $ctx.Release.Namespace }}
{{- end }}
{{- toYaml (dict "apiVersion" $found.apiVersion "kind" $found.kind "metadata" $meta "rules" $found.rules) }}
{{- end }}

{{/*
  The code store (function code packages): the chart's versitygw, or the S3 / Ceph RGW given as codeStore.external.
  Its S3 endpoint as the controller and router reach it (path-style, no bucket in the host name).
*/}}
{{- define "klambda.codeStore.endpoint" -}}
{{- if .Values.codeStore.versitygw.enabled }}
{{- printf "http://%s-code-store.%s.svc:7070" (include "klambda.fullname" .) .Release.Namespace }}
{{- else }}
{{- required "codeStore.external.endpoint is required with codeStore.versitygw.enabled=false" .Values.codeStore.external.endpoint }}
{{- end }}
{{- end }}

{{/*
  The Secret with the code store's credentials: keys accessKeyId, secretAccessKey (the writer) and readerAccessKeyId,
  readerSecretAccessKey (the reader, which a bucket policy lets read the bucket's objects; docs/code-store.md).
*/}}
{{- define "klambda.codeStore.secretName" -}}
{{- if .Values.codeStore.versitygw.enabled }}
{{- printf "%s-code-store" (include "klambda.fullname" .) }}
{{- else }}
{{- required "codeStore.external.existingSecret is required with codeStore.versitygw.enabled=false" .Values.codeStore.external.existingSecret }}
{{- end }}
{{- end }}

{{/*
  The code store's flags, shared by the controller and the router: its endpoint, bucket and region.
*/}}
{{- define "klambda.codeStore.args" -}}
- --code-store-url={{ include "klambda.codeStore.endpoint" . }}
- --code-store-bucket={{ .Values.codeStore.bucket }}
- --code-store-region={{ .Values.codeStore.region }}
{{- end }}

{{/*
  The code store's keys as env (the writer's always; the reader's with `reader`), from its Secret.
*/}}
{{- define "klambda.codeStore.env" -}}
{{- $secret := include "klambda.codeStore.secretName" .ctx }}
{{- range $name, $key := dict "KLAMBDA_CODE_STORE_ACCESS_KEY_ID" "accessKeyId" "KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY" "secretAccessKey" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $key }}}
{{- end }}
{{- if .reader }}
{{- range $name, $key := dict "KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID" "readerAccessKeyId" "KLAMBDA_CODE_STORE_READER_SECRET_ACCESS_KEY" "readerSecretAccessKey" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $key }}}
{{- end }}
{{- end }}
{{- end }}

{{/*
  Where spans go (tracing.*) as the standard OTEL_* env; nothing when tracing.otlpEndpoint is empty.
*/}}
{{- define "klambda.tracing.env" -}}
{{- with .Values.tracing }}
{{- if .otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .otlpEndpoint | quote }}
{{- with .headers }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  value: {{ . | quote }}
{{- end }}
{{- with .sampler }}
- name: OTEL_TRACES_SAMPLER
  value: {{ . | quote }}
{{- end }}
{{- with .samplerArg }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "klambda.codeStore.labelsFlag" -}}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s,app.kubernetes.io/component=code-store" (include "klambda.name" .) .Release.Name }}
{{- end }}
