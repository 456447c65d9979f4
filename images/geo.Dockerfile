# Image bellhop/geo:<version>: the geo service.
# Built by `make images` from the repository root (the build context), after `mvn package`
# has produced the shaded jar services/geo/target/geo.jar.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 bellhop \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bellhop
COPY services/geo/target/geo.jar /app/geo.jar
# Numeric, so that Kubernetes can verify runAsNonRoot; the chart runs it with a read-only root filesystem
# and an emptyDir on /tmp.
USER 10001:10001
EXPOSE 8082
ENTRYPOINT ["java", "-jar", "/app/geo.jar"]
