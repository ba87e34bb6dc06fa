{{- $fullname := include "csms.fullname" . }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}-config
  labels:
    {{- include "csms.labels" . | nindent 4 }}
data:
  CSMS_LOG_LEVEL: {{ .Values.logLevel | quote }}
  CSMS_AUTO_REGISTER: {{ .Values.autoRegister | toString | quote }}
  # Migrations run once per release in the migrate Job (hook), never in every pod.
  CSMS_DB_MIGRATE: "false"
  CSMS_HOST: "0.0.0.0"
  CSMS_PORT: {{ .Values.ports.ocpp | toString | quote }}
  CSMS_ADMIN_HOST: "0.0.0.0"
  CSMS_ADMIN_PORT: {{ .Values.ports.admin | toString | quote }}
  CSMS_METRICS_PORT: {{ .Values.ports.metrics | toString | quote }}
  CSMS_GRPC_HOST: "0.0.0.0"
  CSMS_GRPC_PORT: {{ .Values.ports.grpc | toString | quote }}
  CSMS_AUTH_URL: {{ include "csms.grpcAddress" (dict "root" . "role" "auth") | quote }}
  CSMS_TRANSACTION_URL: {{ include "csms.grpcAddress" (dict "root" . "role" "transaction") | quote }}
  # The api role forwards the domain services' RPCs to them: clients use the api Service alone.
  CSMS_FIRMWARE_URL: {{ include "csms.grpcAddress" (dict "root" . "role" "firmware") | quote }}
  CSMS_SMART_CHARGING_URL: {{ include "csms.grpcAddress" (dict "root" . "role" "smart-charging") | quote }}
  CSMS_RESERVATION_URL: {{ include "csms.grpcAddress" (dict "root" . "role" "reservation") | quote }}
  {{- if not .Values.nats.existingSecret }}
  CSMS_NATS_URL: {{ include "csms.natsUrl" . | quote }}
  {{- end }}
  # Station certificates: the workers sign (their pods mount the CA), the auth service renews.
  CSMS_STATION_CERT_VALIDITY_DAYS: {{ .Values.stationCa.validityDays | toString | quote }}
  CSMS_V2G_CERT_VALIDITY_DAYS: {{ .Values.stationCa.v2gValidityDays | toString | quote }}
  CSMS_CERT_RENEWAL_DAYS: {{ .Values.stationCa.renewalDays | toString | quote }}
  CSMS_CERT_RENEWAL_CHECK_INTERVAL: {{ .Values.stationCa.renewalCheckIntervalSec | toString | quote }}
  {{- with .Values.stationCa.organization }}
  CSMS_STATION_CERT_ORGANIZATION: {{ . | quote }}
  {{- end }}
  # Station history retention (the api role sweeps).
  CSMS_REPORT_RETENTION_DAYS: {{ .Values.retention.historyDays | toString | quote }}
  CSMS_SECURITY_EVENT_RETENTION_DAYS: {{ .Values.retention.securityEventDays | toString | quote }}
  CSMS_RETENTION_INTERVAL: {{ .Values.retention.intervalSec | toString | quote }}
  # OCSP requests (workers): GetCertificateStatus, contract certificates.
  CSMS_OCSP_TIMEOUT: {{ .Values.ocsp.timeoutSeconds | toString | quote }}
  CSMS_OCSP_CACHE_SECONDS: {{ .Values.ocsp.cacheSeconds | toString | quote }}
  {{- with .Values.ocsp.responders }}
  CSMS_OCSP_RESPONDERS: {{ join "," . | quote }}
  {{- end }}
  # EV contract certificates (workers): Get15118EVCertificate.
  CSMS_CONTRACT_CERT_TIMEOUT: {{ .Values.contractCertificates.timeoutSeconds | toString | quote }}
  {{- with .Values.contractCertificates.url }}
  CSMS_CONTRACT_CERT_URL: {{ . | quote }}
  {{- end }}
  {{- with .Values.tracing.otlpEndpoint }}
  CSMS_TRACING: otlp
  OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $key, $value := .Values.config }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
