#!/bin/sh
# Marks that something executed this plugin; the test asserts the file never appears.
touch "$(dirname "$0")/executed.txt"
echo 'apiVersion: v1
kind: ConfigMap
metadata:
  name: from-plugin'
