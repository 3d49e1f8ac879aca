{{/*
Hand-written helpers for the GENERATED templates (see cdk8s/helm/rules.ts). Each one mirrors a
piece of logic of the cdk8s constructs; the chart parity test (cdk8s/chart.test.ts) renders the
chart with several values files and compares every object with `cdk8s synth` of the same values.
*/}}

{{/* ConfigMap data: mirrors configData() in cdk8s/catcast-chart.ts; empty values are left out. */}}
{{- define "catcast.configData" -}}
{{- $v := .Values -}}
{{- $d := dict
  "HOST" "0.0.0.0"
  "SHUTDOWN_TIMEOUT_SECONDS" (toString (max 1 (sub (sub (int $v.pod.terminationGracePeriodSeconds) (int $v.pod.preStopSleepSeconds)) 5)))
  "LOG_LEVEL" $v.logLevel
  "NODE_OPTIONS" $v.nodeOptions
  "DATABASE_POOL_MAX" (toString $v.database.poolMax)
  "KAFKA_BROKERS" $v.kafka.brokers
  "KAFKA_TOPIC" $v.kafka.topic
  "KAFKA_DLQ_TOPIC" $v.kafka.dlqTopic
  "KAFKA_CONSUMER_GROUP" $v.kafka.consumerGroup
  "KAFKA_TOPIC_PARTITIONS" (toString $v.kafka.partitions)
  "AUTH_MODE" $v.auth.mode
  "AUTH_JWKS_URL" $v.auth.jwksUrl
  "AUTH_ISSUER" $v.auth.issuer
  "AUTH_AUDIENCE" $v.auth.audience
  "AUTH_MERCHANTS_CLAIM" $v.auth.merchantsClaim
  "AUTH_GROUPS_CLAIM" $v.auth.groupsClaim
  "AUTH_GROUP_MERCHANTS" $v.auth.groupMerchants
  "AUTH_DEFAULT_SCOPES" $v.auth.defaultScopes
  "UI_OIDC_CLIENT_ID" $v.auth.uiClientId
  "UI_PUBLIC_URL" $v.auth.uiPublicUrl
  "OTEL_SDK_DISABLED" (ternary "false" "true" (ne $v.otel.endpoint ""))
  "OTEL_EXPORTER_OTLP_ENDPOINT" $v.otel.endpoint
  "OTEL_EXPORTER_OTLP_PROTOCOL" $v.otel.protocol
  "OTEL_TRACES_SAMPLER" $v.otel.tracesSampler
  "OTEL_TRACES_SAMPLER_ARG" $v.otel.tracesSamplerArg
  "OTEL_RESOURCE_ATTRIBUTES" (printf "deployment.environment.name=%s,deployment.environment=%s" $v.environment $v.environment)
-}}
{{- $out := dict -}}
{{- range $k, $val := $d }}{{ if ne $val "" }}{{ $_ := set $out $k $val }}{{ end }}{{ end -}}
{{- toJson $out -}}
{{- end }}

{{/* Lease names the forecast job may update: catcast-forecast-shard-0..shardCount-1 (forecast-job.ts). */}}
{{- define "catcast.shardLeaseNames" -}}
{{- $l := list -}}
{{- range $i := until (int .Values.forecastJob.shardCount) }}{{ $l = append $l (printf "catcast-forecast-shard-%d" $i) }}{{ end -}}
{{- toJson $l -}}
{{- end }}

{{/* imagePullSecrets list of a pod spec. */}}
{{- define "catcast.imagePullSecrets" -}}
{{- $l := list -}}
{{- range .Values.imagePullSecrets }}{{ $l = append $l (dict "name" .) }}{{ end -}}
{{- toJson $l -}}
{{- end }}

{{/* NetworkPolicy ports: TCP on each port of the list given as context. */}}
{{- define "catcast.tcpPorts" -}}
{{- $l := list -}}
{{- range . }}{{ $l = append $l (dict "port" (int .) "protocol" "TCP") }}{{ end -}}
{{- toJson $l -}}
{{- end }}

{{/* NetworkPolicy ports for DNS: UDP and TCP on each port (network-policies.ts). */}}
{{- define "catcast.dnsPorts" -}}
{{- $l := list -}}
{{- range . }}{{ $l = append $l (dict "port" (int .) "protocol" "UDP") }}{{ $l = append $l (dict "port" (int .) "protocol" "TCP") }}{{ end -}}
{{- toJson $l -}}
{{- end }}
