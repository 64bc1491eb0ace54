# Runtime image of the worker. Build the jar first: ./mvnw -B -DskipTests package
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/harbor.jar /app/harbor.jar
ENV JAVA_TOOL_OPTIONS="-Xmx512m -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.harborai.worker.avro"
ENTRYPOINT ["java", "-jar", "/app/harbor.jar"]
CMD ["run"]
