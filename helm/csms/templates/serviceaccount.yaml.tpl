{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "csms.serviceAccountName" . }}
  labels:
    {{- include "csms.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# The pods never call the Kubernetes API.
automountServiceAccountToken: false
{{- end }}
