{{- $root := . }}
{{- $fullname := include "csms.fullname" . }}
{{- $grpcRoles := include "csms.grpcRoles" . | fromYamlArray }}
{{- range $key, $role := include "csms.roles" . | fromYaml }}
{{- $v := index $root.Values $key }}
{{- $ctx := dict "root" $root "role" $role "values" $v }}
{{- $grpc := has $role $grpcRoles }}
{{- $edgeTls := and (eq $role "edge") (include "csms.edgeTls" $root) }}
{{- $seed := and $root.Values.seed.enabled (has $role $root.Values.seed.roles) }}
{{- $grace := int $v.terminationGracePeriodSeconds }}
{{- if and (eq $role "edge") (eq $grace 0) }}
{{- $grace = add (int $v.preStopDelaySeconds) (div (add (int $v.shutdownGraceMs) 999) 1000) 20 }}
{{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}-{{ $role }}
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
spec:
  {{- if not (and $v.autoscaling $v.autoscaling.enabled) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- if eq $role "edge" }}
  # A new edge must stay ready a while before the next old one drains its stations.
  minReadySeconds: 10
  {{- end }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Never below the wanted capacity; workers are replaced one at a time (each stop hands its
      # partitions over), the others a quarter at a time.
      maxUnavailable: 0
      maxSurge: {{ if eq $role "worker" }}1{{ else }}25%{{ end }}
  selector:
    matchLabels:
      {{- include "csms.componentSelector" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "csms.componentSelector" $ctx | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml.tpl") $root | sha256sum }}
        {{- if $seed }}
        checksum/seed: {{ include (print $root.Template.BasePath "/seed.yaml.tpl") $root | sha256sum }}
        {{- end }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.ports.metrics | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "csms.serviceAccountName" $root }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $grace }}
      {{- include "csms.spread" $ctx | indent 6 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $role }}
          image: {{ include "csms.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ $role | quote }}]
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            {{- if eq $role "edge" }}
            - name: ocpp
              containerPort: {{ $root.Values.ports.ocpp }}
              protocol: TCP
            {{- end }}
            {{- if $grpc }}
            - name: grpc
              containerPort: {{ $root.Values.ports.grpc }}
              protocol: TCP
            {{- end }}
            {{- if eq $role "api" }}
            - name: admin
              containerPort: {{ $root.Values.ports.admin }}
              protocol: TCP
            {{- end }}
            - name: metrics
              containerPort: {{ $root.Values.ports.metrics }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ $fullname }}-config
          env:
            - name: CSMS_NODE_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: CSMS_DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "csms.databaseSecretName" $root }}
                  key: {{ include "csms.databaseSecretKey" $root }}
            - name: CSMS_DATABASE_POOL_SIZE
              value: {{ $v.databasePoolSize | quote }}
            {{- if $root.Values.nats.existingSecret }}
            - name: CSMS_NATS_URL
              valueFrom:
                secretKeyRef:
                  name: {{ $root.Values.nats.existingSecret }}
                  key: {{ $root.Values.nats.existingSecretKey }}
            {{- end }}
            - name: CSMS_API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ include "csms.apiTokenSecretName" $root }}
                  key: {{ include "csms.apiTokenSecretKey" $root }}
            {{- if eq $role "api" }}
            - name: CSMS_ADMIN_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {{ include "csms.apiTokenSecretName" $root }}
                  key: {{ include "csms.apiTokenSecretKey" $root }}
            {{- end }}
            {{- if $root.Values.grpcTls.enabled }}
            - name: CSMS_API_TLS_CERT_FILE
              value: /etc/csms/grpc-tls/tls.crt
            - name: CSMS_API_TLS_KEY_FILE
              value: /etc/csms/grpc-tls/tls.key
            - name: CSMS_API_TLS_CA_FILE
              value: /etc/csms/grpc-tls/ca.crt
            {{- end }}
            {{- if eq $role "edge" }}
            - name: CSMS_SHUTDOWN_GRACE_MS
              value: {{ $v.shutdownGraceMs | quote }}
            {{- if gt (int $v.maxConnections) 0 }}
            - name: CSMS_MAX_CONNECTIONS
              value: {{ $v.maxConnections | quote }}
            {{- end }}
            {{- if $edgeTls }}
            - name: CSMS_TLS_CERT_FILE
              value: /etc/csms/edge-tls/tls.crt
            - name: CSMS_TLS_KEY_FILE
              value: /etc/csms/edge-tls/tls.key
            {{- if $v.tls.ecdsaSecretName }}
            - name: CSMS_TLS_ECDSA_CERT_FILE
              value: /etc/csms/edge-tls/ecdsa-tls.crt
            - name: CSMS_TLS_ECDSA_KEY_FILE
              value: /etc/csms/edge-tls/ecdsa-tls.key
            {{- end }}
            {{- if $v.tls.caSecretName }}
            - name: CSMS_TLS_CA_FILE
              value: /etc/csms/edge-tls/ca.crt
            {{- end }}
            - name: CSMS_TLS_RELOAD_INTERVAL
              value: {{ $v.tls.reloadIntervalSec | quote }}
            {{- end }}
            {{- end }}
            {{- if and (eq $role "worker") $root.Values.stationCa.secretName }}
            - name: CSMS_STATION_CA_CERT_FILE
              value: /etc/csms/station-ca/tls.crt
            - name: CSMS_STATION_CA_KEY_FILE
              value: /etc/csms/station-ca/tls.key
            {{- end }}
            {{- if and (eq $role "worker") $root.Values.stationCa.v2gSecretName }}
            - name: CSMS_V2G_CA_CERT_FILE
              value: /etc/csms/v2g-ca/tls.crt
            - name: CSMS_V2G_CA_KEY_FILE
              value: /etc/csms/v2g-ca/tls.key
            {{- end }}
            {{- if eq $role "worker" }}
            - name: CSMS_LEASE_TTL_MS
              value: {{ $v.leaseTtlMs | quote }}
            - name: CSMS_WORKER_DOMAINS
              value: {{ $v.domainCalls | quote }}
            {{- end }}
            {{- if $seed }}
            - name: CSMS_SEED_FILE
              value: /etc/csms/seed/seed.yaml
            {{- end }}
            {{- range $name, $value := $v.env }}
            - name: {{ $name }}
              value: {{ $value | toString | quote }}
            {{- end }}
          startupProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          {{- if eq $role "edge" }}
          lifecycle:
            # Endpoints and load balancers stop routing new connections to a terminating pod
            # asynchronously: keep serving a few seconds, then SIGTERM drains (CSMS_SHUTDOWN_GRACE_MS).
            preStop:
              exec:
                command: ["sleep", {{ $v.preStopDelaySeconds | quote }}]
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $edgeTls }}
            # A whole-directory Secret mount (no subPath): a rotated Secret reaches the pod.
            - name: edge-tls
              mountPath: /etc/csms/edge-tls
              readOnly: true
            {{- end }}
            {{- if $root.Values.grpcTls.enabled }}
            - name: grpc-tls
              mountPath: /etc/csms/grpc-tls
              readOnly: true
            {{- end }}
            {{- if and (eq $role "worker") $root.Values.stationCa.secretName }}
            - name: station-ca
              mountPath: /etc/csms/station-ca
              readOnly: true
            {{- end }}
            {{- if and (eq $role "worker") $root.Values.stationCa.v2gSecretName }}
            - name: v2g-ca
              mountPath: /etc/csms/v2g-ca
              readOnly: true
            {{- end }}
            {{- if $seed }}
            - name: seed
              mountPath: /etc/csms/seed
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if $edgeTls }}
        - name: edge-tls
          projected:
            defaultMode: 0440
            sources:
              - secret:
                  name: {{ required "edge.tls.secretName is required with edge.tls.mode=passthrough" $v.tls.secretName }}
                  items:
                    - key: tls.crt
                      path: tls.crt
                    - key: tls.key
                      path: tls.key
              {{- if $v.tls.ecdsaSecretName }}
              - secret:
                  name: {{ $v.tls.ecdsaSecretName }}
                  items:
                    - key: tls.crt
                      path: ecdsa-tls.crt
                    - key: tls.key
                      path: ecdsa-tls.key
              {{- end }}
              {{- if $v.tls.caSecretName }}
              - secret:
                  name: {{ $v.tls.caSecretName }}
                  items:
                    - key: {{ $v.tls.caKey }}
                      path: ca.crt
              {{- end }}
        {{- end }}
        {{- if and (eq $role "worker") $root.Values.stationCa.secretName }}
        - name: station-ca
          secret:
            secretName: {{ $root.Values.stationCa.secretName }}
            defaultMode: 0440
        {{- end }}
        {{- if and (eq $role "worker") $root.Values.stationCa.v2gSecretName }}
        - name: v2g-ca
          secret:
            secretName: {{ $root.Values.stationCa.v2gSecretName }}
            defaultMode: 0440
        {{- end }}
        {{- if $root.Values.grpcTls.enabled }}
        - name: grpc-tls
          secret:
            secretName: {{ required "grpcTls.secretName is required with grpcTls.enabled" $root.Values.grpcTls.secretName }}
            defaultMode: 0440
        {{- end }}
        {{- if $seed }}
        - name: seed
          {{- if $root.Values.seed.existingSecret }}
          secret:
            secretName: {{ $root.Values.seed.existingSecret }}
            defaultMode: 0440
            items:
              - key: seed.yaml
                path: seed.yaml
          {{- else }}
          configMap:
            name: {{ $fullname }}-seed
          {{- end }}
        {{- end }}
{{- end }}
