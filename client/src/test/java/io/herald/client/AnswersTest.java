package io.herald.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnswersTest {

    @Test
    void oneAnswerObject() {
        List<Answers.Numbered> answers = Answers.parse("{\"id\":7,\"status\":202,\"body\":{\"id\":\"n1:42\",\"seq\":7}}");
        assertEquals(1, answers.size());
        assertEquals(7L, answers.get(0).number());
        Answer answer = answers.get(0).answer();
        assertEquals(202, answer.status());
        Receipt receipt = Receipt.of(answer.object());
        assertEquals("n1:42", receipt.id());
        assertEquals(7L, receipt.seq());
        assertTrue(receipt.seqs().isEmpty());
    }

    @Test
    void anArrayOfAnswersInAnyOrderWithErrorsAndNoBodies() {
        List<Answers.Numbered> answers = Answers.parse("[{\"id\":3,\"status\":204},"
                + "{\"id\":1,\"status\":403,\"body\":{\"status\":403,\"code\":\"forbidden\",\"message\":\"no push\"}},"
                + "{\"id\":2,\"status\":202,\"body\":{\"id\":\"m\",\"seqs\":{\"a\":1,\"b\":9}}}]");
        assertEquals(List.of(3L, 1L, 2L), answers.stream().map(Answers.Numbered::number).toList());
        assertNull(answers.get(0).answer().body());
        HeraldException error = HeraldException.of(answers.get(1).answer());
        assertEquals(403, error.status());
        assertEquals("forbidden", error.code());
        assertTrue(error.getMessage().contains("no push"));
        Receipt receipt = Receipt.of(answers.get(2).answer().object());
        assertNull(receipt.seq());
        assertEquals(9L, receipt.seqs().get("b"));
    }

    @Test
    void anUnreadableFrameAnswerHasNoNumber() {
        Answers.Numbered answer = Answers.parse("{\"id\":null,\"status\":400,\"body\":{\"code\":\"bad_json\"}}").get(0);
        assertNull(answer.number());
        assertEquals(400, answer.answer().status());
        assertNull(Answers.parse("{\"id\":\"r1\",\"status\":200,\"body\":{}}").get(0).number(),
                "a string id is not one of this client's");
    }

    @Test
    void somethingThatIsNoAnswerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Answers.parse("[1,2]"));
        assertThrows(IllegalArgumentException.class, () -> Answers.parse("{\"id\":1}"));
        assertThrows(RuntimeException.class, () -> Answers.parse("{\"id\":1,"));
    }
}
