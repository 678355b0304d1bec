package io.integcov.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /mutate}. Never answers 5xx: a body that is not JSON, or has no {@code request.uid} to answer to, gets
 * 400 with a message; any other failure gets 200 with allowed=true and a warning (fail open).
 */
@Path("/mutate")
public class MutateResource {
    private static final Logger LOG = Logger.getLogger(MutateResource.class);

    @Inject
    Admission admission;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response mutate(byte[] body) {
        JsonNode review;
        try {
            review = Admission.MAPPER.readTree(body);
        } catch (Exception e) {
            return badRequest("body is not JSON: " + e.getMessage());
        }
        String uid = Admission.uid(review);
        if (uid == null) {
            return badRequest("body is not an AdmissionReview: request.uid is missing");
        }
        try {
            return Response.ok(admission.review(review)).build();
        } catch (Exception | StackOverflowError e) {
            LOG.warnf(e, "admission %s: not injected (fail open)", uid);
            Exception cause = e instanceof Exception ex ? ex : new IllegalStateException(e.toString());
            return Response.ok(Admission.failOpen(review, uid, cause)).build();
        }
    }

    private static Response badRequest(String message) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", message)).build();
    }
}
