{{- $root := . }}
{{- $fullname := include "csms.fullname" . }}
{{- $grpcRoles := include "csms.grpcRoles" . | fromYamlArray }}
{{- $edgePort := int .Values.edge.service.port }}
{{- if eq $edgePort 0 }}{{ $edgePort = ternary 80 443 (eq .Values.edge.tls.mode "none") }}{{ end }}
# Stations: a layer-4 load balancer in front of the edges. With tls.mode=passthrough the TLS stream
# reaches the edge untouched, so the edge can authenticate Security Profile 3 client certificates.
apiVersion: v1
kind: Service
metadata:
  name: {{ $fullname }}-edge
  labels:
    {{- include "csms.componentLabels" (dict "root" . "role" "edge") | nindent 4 }}
  {{- with .Values.edge.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.edge.service.type }}
  {{- if ne .Values.edge.service.type "ClusterIP" }}
  externalTrafficPolicy: {{ .Values.edge.service.externalTrafficPolicy }}
  {{- end }}
  {{- if and (eq .Values.edge.service.type "LoadBalancer") .Values.edge.service.loadBalancerClass }}
  loadBalancerClass: {{ .Values.edge.service.loadBalancerClass }}
  {{- end }}
  {{- if and (eq .Values.edge.service.type "LoadBalancer") .Values.edge.service.loadBalancerSourceRanges }}
  loadBalancerSourceRanges:
    {{- toYaml .Values.edge.service.loadBalancerSourceRanges | nindent 4 }}
  {{- end }}
  selector:
    {{- include "csms.componentSelector" (dict "root" . "role" "edge") | nindent 4 }}
  ports:
    - name: {{ if eq .Values.edge.tls.mode "none" }}ws{{ else }}wss{{ end }}
      port: {{ $edgePort }}
      targetPort: ocpp
      protocol: TCP
{{- range $key, $role := include "csms.roles" . | fromYaml }}
{{- $ctx := dict "root" $root "role" $role }}
{{- $grpc := has $role $grpcRoles }}
---
# In-cluster: {{ if $grpc }}gRPC{{ if eq $role "api" }}, admin endpoint{{ end }} and {{ end }}metrics of the {{ $role }} pods.
apiVersion: v1
kind: Service
metadata:
  name: {{ $fullname }}-{{ $role }}{{ if eq $role "edge" }}-metrics{{ end }}
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
    csms.io/metrics: "true"
  {{- if and (eq $role "api") $root.Values.api.service.annotations }}
  annotations:
    {{- toYaml $root.Values.api.service.annotations | nindent 4 }}
  {{- end }}
spec:
  type: {{ if eq $role "api" }}{{ $root.Values.api.service.type }}{{ else }}ClusterIP{{ end }}
  {{- if not $grpc }}
  clusterIP: None
  {{- end }}
  selector:
    {{- include "csms.componentSelector" $ctx | nindent 4 }}
  ports:
    {{- if $grpc }}
    - name: grpc
      port: {{ $root.Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    {{- end }}
    {{- if eq $role "api" }}
    - name: admin
      port: {{ $root.Values.ports.admin }}
      targetPort: admin
      protocol: TCP
      appProtocol: http
    {{- end }}
    - name: metrics
      port: {{ $root.Values.ports.metrics }}
      targetPort: metrics
      protocol: TCP
      appProtocol: http
{{- end }}
