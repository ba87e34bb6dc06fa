{{/* Names. */}}
{{- define "csms.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "csms.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The roles this chart deploys: values key -> `csms` role (also the objects' name suffix). The deployed
     roles of the role registry (packages/config/src/roles.ts), in its order: npm run check:helm holds them equal. */}}
{{- define "csms.roles" -}}
edge: edge
worker: worker
api: api
auth: auth
transaction: transaction
firmware: firmware
smartCharging: smart-charging
reservation: reservation
{{- end -}}

{{/* Roles that serve gRPC (grpc.health.v1 on ports.grpc): the registry's SERVICE_ROLES. */}}
{{- define "csms.grpcRoles" -}}
[api, auth, transaction, firmware, smart-charging, reservation]
{{- end -}}

{{- define "csms.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: csms
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "csms.releaseSelector" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Every pod of this release (not those of a NATS subchart). */}}
{{- define "csms.releaseSelector" -}}
app.kubernetes.io/name: {{ include "csms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* dict "root" $ "role" "edge" */}}
{{- define "csms.componentLabels" -}}
{{ include "csms.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "csms.componentSelector" -}}
{{ include "csms.releaseSelector" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "csms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "csms.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "csms.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Secret and key of the database URL. */}}
{{- define "csms.databaseSecretName" -}}
{{- if .Values.database.url -}}
{{- printf "%s-database" (include "csms.fullname" .) -}}
{{- else if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- fail "database: set database.existingSecret (a Secret holding the postgres:// URL) or database.url" -}}
{{- end -}}
{{- end -}}

{{- define "csms.databaseSecretKey" -}}
{{- if .Values.database.url -}}url{{- else -}}{{ .Values.database.existingSecretKey }}{{- end -}}
{{- end -}}

{{- define "csms.apiTokenSecretName" -}}
{{- default (printf "%s-api-token" (include "csms.fullname" .)) .Values.apiToken.existingSecret -}}
{{- end -}}

{{- define "csms.apiTokenSecretKey" -}}
{{- if .Values.apiToken.existingSecret -}}{{ .Values.apiToken.existingSecretKey }}{{- else -}}token{{- end -}}
{{- end -}}

{{- define "csms.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" .Release.Name -}}
{{- else -}}
{{- required "nats.url (or nats.existingSecret) is required" .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/* host:port of a gRPC role's Service. */}}
{{- define "csms.grpcAddress" -}}
{{- printf "%s-%s:%d" (include "csms.fullname" .root) .role (int .root.Values.ports.grpc) -}}
{{- end -}}

{{/* Whether the edge terminates TLS itself. */}}
{{- define "csms.edgeTls" -}}
{{- if eq .Values.edge.tls.mode "passthrough" -}}true{{- end -}}
{{- end -}}

{{/* Spread a role's pods over nodes (soft). dict "root" $ "role" "edge" "values" $v */}}
{{- define "csms.spread" -}}
{{- if .values.spreadAcrossNodes }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "csms.componentSelector" . | nindent 8 }}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "csms.componentSelector" . | nindent 8 }}
{{- end }}
{{- end -}}
