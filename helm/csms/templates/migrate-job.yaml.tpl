{{- if .Values.migrations.enabled }}
{{- $fullname := include "csms.fullname" . }}
{{- $ctx := dict "root" . "role" "migrate" }}
{{- /*
  Runs before the release's other objects exist (pre-install) and before the new pods roll out
  (pre-upgrade): once per release, never by every pod. Objects it needs that are not there yet on
  install (its ServiceAccount, the database URL when the chart creates it) are hooks of their own.
*/}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $fullname }}-migrate
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
automountServiceAccountToken: false
{{- if .Values.database.url }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ $fullname }}-migrate-database
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
type: Opaque
stringData:
  url: {{ .Values.database.url | quote }}
{{- end }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ $fullname }}-migrate
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    # Kept after success for its logs until the next release replaces it (or its TTL removes it).
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: {{ .Values.migrations.backoffLimit }}
  activeDeadlineSeconds: {{ .Values.migrations.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ .Values.migrations.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        {{- include "csms.componentSelector" $ctx | nindent 8 }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ $fullname }}-migrate
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: migrate
          image: {{ include "csms.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          args: ["migrate"]
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          env:
            - name: CSMS_NODE_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: CSMS_LOG_LEVEL
              value: {{ .Values.logLevel | quote }}
            - name: CSMS_DATABASE_POOL_SIZE
              value: "1"
            - name: CSMS_DATABASE_URL
              valueFrom:
                secretKeyRef:
                  {{- if .Values.database.url }}
                  name: {{ $fullname }}-migrate-database
                  key: url
                  {{- else }}
                  name: {{ include "csms.databaseSecretName" . }}
                  key: {{ include "csms.databaseSecretKey" . }}
                  {{- end }}
          resources:
            {{- toYaml .Values.migrations.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
