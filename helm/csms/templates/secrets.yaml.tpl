{{- $fullname := include "csms.fullname" . }}
{{- if .Values.database.url }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $fullname }}-database
  labels:
    {{- include "csms.labels" . | nindent 4 }}
type: Opaque
stringData:
  url: {{ .Values.database.url | quote }}
---
{{- end }}
{{- if not .Values.apiToken.existingSecret }}
{{- $name := printf "%s-api-token" $fullname }}
{{- $token := .Values.apiToken.value }}
{{- if not $token }}
{{- /* Keep the generated token across upgrades (lookup is empty under `helm template`). */}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name }}
{{- if and $existing $existing.data $existing.data.token }}
{{- $token = b64dec $existing.data.token }}
{{- else }}
{{- $token = randAlphaNum 48 }}
{{- end }}
{{- end }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "csms.labels" . | nindent 4 }}
type: Opaque
stringData:
  token: {{ $token | quote }}
{{- end }}
