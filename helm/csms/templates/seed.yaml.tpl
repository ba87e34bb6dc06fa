{{- if and .Values.seed.enabled (not .Values.seed.existingSecret) }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "csms.fullname" . }}-seed
  labels:
    {{- include "csms.labels" . | nindent 4 }}
data:
  seed.yaml: |
    {{- toYaml .Values.seed.content | nindent 4 }}
{{- end }}
